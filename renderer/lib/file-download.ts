// AUD-2 and GDPR-2 exports in the web console: the server answers the file itself over REST
// (GET /api/v1/...), streamed; the browser collects it as a Blob (outside the page's heap) and
// saves it. In the desktop app the same exports come over IPC (tRPC) instead.
import { EXPORT_FILE_HEADERS } from '../../shared/constants';
import { bearerToken } from './session';

export interface FetchedFile {
  filename: string;
  blob: Blob;
  headers: Headers;
}

type Query = Record<string, string | number | boolean | null | undefined>;

const filenameOf = (disposition: string | null, fallback: string): string =>
  /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? fallback;

/**
 * GET a file answer of the REST API. A refusal answers the JSON error shape before any byte of
 * a file: its message is thrown, as a tRPC error's would be. A transfer cut short rejects (the
 * body is shorter than its Content-Length), so a partial file is never saved.
 */
export async function fetchFile(path: string, query: Query = {}): Promise<FetchedFile> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  }
  const token = bearerToken();
  const qs = params.toString();
  const res = await fetch(`/api/v1${path}${qs ? `?${qs}` : ''}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    cache: 'no-store',
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `The server answered HTTP ${res.status}; try again.`);
  }
  const blob = await res.blob();
  return {
    filename: filenameOf(res.headers.get('Content-Disposition'), 'orgdesk-export'),
    blob,
    headers: res.headers,
  };
}

/** Saves a Blob under a name, as a download. */
export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked on the next task: revoking synchronously can cancel the download in some engines.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The SPKI PEM of a raw Ed25519 public key (base64): its DER prefix is 12 bytes, 16 base64 chars. */
export const ed25519Pem = (rawBase64: string): string =>
  `-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA${rawBase64}\n-----END PUBLIC KEY-----\n`;

/** An audit export's detached signature, as its file answer's headers carry it. */
export function signatureOf(headers: Headers) {
  const h = (name: string) => headers.get(name) ?? '';
  const publicKey = h(EXPORT_FILE_HEADERS.publicKey);
  return {
    value: h(EXPORT_FILE_HEADERS.signature),
    fingerprint: h(EXPORT_FILE_HEADERS.fingerprint),
    signer_label: decodeURIComponent(h(EXPORT_FILE_HEADERS.signerLabel)),
    public_key_pem: ed25519Pem(publicKey),
  };
}
