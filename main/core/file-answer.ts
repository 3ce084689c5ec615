// A procedure's answer as a file (AUD-2 and GDPR-2 exports over REST): the bytes are the body,
// streamed to the socket in chunks, never wrapped in a JSON envelope. The bytes come from a
// worker thread (transferred, not copied: main/workers/read-pool.ts), so the server's main
// thread neither decodes, encodes nor copies the file; it only writes it out.

export interface FileAnswer {
  kind: 'file';
  /** ASCII, no quotes: goes into Content-Disposition as it is. */
  filename: string;
  contentType: string;
  bytes: Uint8Array;
  /** What the JSON envelope carried beside the content (shared/constants EXPORT_FILE_HEADERS). */
  headers: Record<string, string>;
}

export const isFileAnswer = (v: unknown): v is FileAnswer =>
  typeof v === 'object' &&
  v !== null &&
  (v as { kind?: unknown }).kind === 'file' &&
  (v as { bytes?: unknown }).bytes instanceof Uint8Array;

/** A worker's bytes as a Buffer over the same memory (no copy). */
export const asBuffer = (u: Uint8Array): Buffer =>
  Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * The top-level byte fields of a job's result whose memory can be handed over whole (a view of
 * all of its own ArrayBuffer): posting them in the transfer list moves them without a copy. A
 * view into a shared pool (small Buffers) is cloned instead: transferring it would detach the pool.
 */
export function transferablesOf(result: unknown): ArrayBuffer[] {
  if (typeof result !== 'object' || result === null) return [];
  const out: ArrayBuffer[] = [];
  for (const v of Object.values(result)) {
    if (
      v instanceof Uint8Array &&
      v.buffer instanceof ArrayBuffer &&
      v.byteOffset === 0 &&
      v.byteLength === v.buffer.byteLength &&
      !out.includes(v.buffer)
    ) {
      out.push(v.buffer);
    }
  }
  return out;
}

/**
 * A procedure answers its file (ctx.asFile) in place of its envelope. Typed as the envelope, so
 * tRPC clients keep inferring the output they get; only the REST layer, which asked for the
 * file, ever receives this (and checks it with isFileAnswer).
 */
export const inPlaceOfEnvelope = <T>(file: Promise<FileAnswer>): Promise<T> =>
  file as unknown as Promise<T>;
