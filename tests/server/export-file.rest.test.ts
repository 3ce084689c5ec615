// AUD-2 and GDPR-2 exports over REST answer the file itself, streamed from the bytes a worker
// thread encoded (issue 13: no single request holds the event loop), not a JSON envelope the
// main thread would have to build around 26 MB: the body is the file as saved, its detached
// Ed25519 signature in headers, and every refusal still comes before the first byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FILE_HEADERS as H } from '../../shared/constants';
import { hasOpenssl, opensslVerify } from '../fixtures/openssl';
import { startServer, type TestServer } from '../fixtures/server';

let s: TestServer;
let orgId: number;
let otherAdmin: { token: string };
let reader: { token: string };

beforeAll(async () => {
  s = await startServer();
  const org = await s.request('POST', '/api/v1/organizations', { body: { name: 'Acme' } });
  expect(org.status).toBe(201);
  orgId = org.json.id;
  // A label that is no header value as it is: the signer label header is percent-encoded.
  const other = await s.services.accounts.provision({
    accountName: 'Other',
    adminEmail: 'other-admin@other.test',
    adminName: 'Other admin',
  });
  otherAdmin = await s.userToken([{ role: 'account_admin' }], { accountId: other.accountId });
  reader = await s.userToken([{ role: 'reader', orgId }]);
});
afterAll(() => s.close());

const CSV_HEADER =
  'id,at,account_id,organization_id,actor_user_id,actor_label,action,target_type,target_id,details,prev_hash,hash';

describe('GET /api/v1/audit/export answers the file', () => {
  it('CSV: the body is the file, Content-Disposition names it, the signature header verifies it with openssl', async () => {
    const key = (await s.request('GET', '/api/v1/export-key')).json;
    const res = await s.request('GET', '/api/v1/audit/export?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="orgdesk-audit-account-\d+-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(res.text.split('\r\n')[0]).toBe(CSV_HEADER);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.headers[H.count.toLowerCase()]).toBe(String(res.text.split('\r\n').length - 2));
    expect(res.headers[H.truncated.toLowerCase()]).toBe('false');
    expect(res.headers[H.algorithm.toLowerCase()]).toBe('Ed25519');
    expect(res.headers[H.publicKey.toLowerCase()]).toBe(key.public_key);
    expect(res.headers[H.fingerprint.toLowerCase()]).toBe(key.fingerprint);
    expect(decodeURIComponent(String(res.headers[H.signerLabel.toLowerCase()]))).toBe(key.label);
    expect(hasOpenssl()).toBe(true);
    expect(
      opensslVerify(res.text, String(res.headers[H.signature.toLowerCase()]), key.public_key_pem),
    ).toEqual({ ok: true, output: 'Signature Verified Successfully' });
  });

  it('JSON: the body is the array of entries, signed as sent', async () => {
    const key = (await s.request('GET', '/api/v1/export-key')).json;
    const res = await s.request('GET', '/api/v1/audit/export?format=json&action=organization.');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".+\.json"$/);
    expect(res.json).toEqual([expect.objectContaining({ action: 'organization.created' })]);
    expect(res.headers[H.count.toLowerCase()]).toBe('1');
    expect(
      opensslVerify(res.text, String(res.headers[H.signature.toLowerCase()]), key.public_key_pem)
        .ok,
    ).toBe(true);
  });

  it('refusals are JSON errors before any byte of a file: foreign account 404, missing permission 403', async () => {
    const foreign = await s.request('GET', `/api/v1/audit/export?account_id=${s.accountId}`, {
      token: otherAdmin.token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-disposition']).toBeUndefined();
    expect(foreign.json.error.code).toBe('NOT_FOUND');
    const denied = await s.request('GET', `/api/v1/audit/export?organization_id=${orgId}`, {
      token: reader.token,
    });
    expect(denied.status).toBe(403);
    expect(denied.headers['content-disposition']).toBeUndefined();
  });

  it('tRPC callers still get the envelope: content and signature', async () => {
    const res = await s.request(
      'GET',
      `/trpc/audit.export?input=${encodeURIComponent(JSON.stringify({ format: 'csv' }))}`,
    );
    expect(res.status).toBe(200);
    const out = res.json.result.data;
    expect(out).toMatchObject({ format: 'csv', content_type: 'text/csv; charset=utf-8' });
    expect(out.content.split('\r\n')[0]).toBe(CSV_HEADER);
    expect(out.signature.algorithm).toBe('Ed25519');
  });
});

describe('GDPR-2 exports answer the file', () => {
  it('GET /api/v1/account/export: the export document as an attachment, audited before it is sent', async () => {
    const res = await s.request('GET', '/api/v1/account/export');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(
        `^attachment; filename="orgdesk-gdpr-account-${s.accountId}-\\d{4}-\\d{2}-\\d{2}\\.json"$`,
      ),
    );
    expect(res.json).toMatchObject({
      format: 'orgdesk.gdpr-export/1',
      kind: 'account',
      subject: { account_id: s.accountId },
    });
    expect(res.json.sections.organizations.records).toEqual([
      expect.objectContaining({ id: orgId, name: 'Acme' }),
    ]);
    expect(res.headers[H.cappedSections.toLowerCase()]).toBe('');
    expect(res.headers[H.cap.toLowerCase()]).toBe(String(res.json.cap_per_section));
    const audit = await s.request('GET', '/api/v1/audit?action=gdpr.account_exported');
    expect(audit.json).toHaveLength(1);
    expect(audit.json[0].details.counts.organizations).toBe(1);
  });

  it("GET /api/v1/users/:id/export: the user's export document as an attachment", async () => {
    const res = await s.request('GET', `/api/v1/users/${s.adminUserId}/export`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(
        `^attachment; filename="orgdesk-gdpr-user-${s.adminUserId}-\\d{4}-\\d{2}-\\d{2}\\.json"$`,
      ),
    );
    expect(res.json).toMatchObject({
      kind: 'user',
      subject: { account_id: s.accountId, user_id: s.adminUserId },
    });
    const foreign = await s.request('GET', `/api/v1/users/${s.adminUserId}/export`, {
      token: otherAdmin.token,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-disposition']).toBeUndefined();
  });
});
