// sendFile (main/server/http-io.ts), the body of every file answer (AUD-2, GDPR-2 exports), over
// real HTTP on 127.0.0.1: the whole file with its Content-Length and its headers, and a client
// that goes away mid-file ends the transfer (no unhandled error, the response destroyed).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileAnswer } from '../../main/core/file-answer';
import { sendFile } from '../../main/server/http-io';

const SIZE = 8 * 1024 * 1024;
const bytes = Buffer.alloc(SIZE, 'a');
const file: FileAnswer = {
  kind: 'file',
  filename: 'orgdesk-audit-account-1-2026-01-31.csv',
  contentType: 'text/csv; charset=utf-8',
  bytes,
  headers: { 'X-Orgdesk-Export-Count': '7' },
};

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

/** A server whose only answer is sendFile(file); resolves with its URL and sendFile's outcome. */
async function serve(): Promise<{ port: number; sent: Promise<unknown> }> {
  let settle!: (v: unknown) => void;
  const sent = new Promise((resolve) => (settle = resolve));
  server = createServer((_req, res) => {
    sendFile(res, file).then(
      () => settle('done'),
      (err: unknown) => settle(err),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, sent };
}

describe('sendFile', () => {
  it('sends the whole file as an attachment, Content-Length first', async () => {
    const { port, sent } = await serve();
    const got = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        request({ port, host: '127.0.0.1', path: '/' }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        })
          .on('error', reject)
          .end();
      },
    );
    expect(await sent).toBe('done');
    expect(got.headers['content-length']).toBe(String(SIZE));
    expect(got.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(got.headers['content-disposition']).toBe(
      'attachment; filename="orgdesk-audit-account-1-2026-01-31.csv"',
    );
    expect(got.headers['x-orgdesk-export-count']).toBe('7');
    expect(got.body.equals(bytes)).toBe(true);
  });

  it('a client that goes away mid-file ends the transfer: sendFile rejects, the response is destroyed', async () => {
    const { port, sent } = await serve();
    await new Promise<void>((resolve) => {
      const req = request({ port, host: '127.0.0.1', path: '/' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.end();
    });
    expect(await sent).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});
