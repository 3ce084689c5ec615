// IDN-5 over real HTTP: a failed sign-in for a user of an account lands in that account's audit
// trail with the email tried, the address and the reason, never the password. One for an email
// no account holds lands in no trail (an account's trail is not a list of strangers' guesses) and
// leaves a server log line without the email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../fixtures/server';
import { t } from '../fixtures/tables';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const PASSWORD = 'correct horse battery staple';
const WRONG = 'Tr0ub4dor&3-not-it';

const login = (email: string, password: string, localAddress: string) =>
  s.request('POST', '/api/v1/auth/login', {
    token: null,
    body: { email, password },
    localAddress,
  });
const failures = async () =>
  (await s.db.select().from(t.auditEntries).orderBy(t.auditEntries.id)).filter(
    (e) => e.action === 'auth.sign_in_failed',
  );

describe('failed sign-ins are audited (IDN-5)', () => {
  it("a wrong password: in the user's account trail with email, address and reason; never the password", async () => {
    const user = await s.request('POST', '/api/v1/users', {
      body: { email: 'Wrong.Pw@audit.test', name: 'W', password: PASSWORD },
    });
    expect(user.status).toBe(201);
    const res = await login('wrong.pw@AUDIT.test', WRONG, '127.0.0.61');
    expect(res.status).toBe(401);

    const [entry] = await failures();
    expect(entry).toMatchObject({
      accountId: s.accountId,
      targetType: 'user',
      targetId: String(user.json.id),
    });
    expect(JSON.parse(entry!.details)).toEqual({
      email: 'wrong.pw@AUDIT.test',
      address: '127.0.0.61',
      reason: 'wrong_password',
    });
    // Nowhere in the trail, the logs or the audit API's answer.
    const trail = JSON.stringify(await s.db.select().from(t.auditEntries));
    expect(trail).not.toContain(WRONG);
    expect(s.logs.join('\n')).not.toContain(WRONG);
    const api = await s.request('GET', '/api/v1/audit?action=auth.sign_in_failed');
    expect(JSON.stringify(api.json)).not.toContain(WRONG);
  });

  it('the right password of a deactivated user: audited with that reason', async () => {
    const user = await s.request('POST', '/api/v1/users', {
      body: { email: 'gone@audit.test', name: 'G', password: PASSWORD },
    });
    expect(
      (await s.request('PATCH', `/api/v1/users/${user.json.id}`, { body: { is_active: false } }))
        .status,
    ).toBe(200);
    expect((await login('gone@audit.test', PASSWORD, '127.0.0.62')).status).toBe(401);
    const entry = (await failures()).at(-1)!;
    expect(entry.targetId).toBe(String(user.json.id));
    expect(JSON.parse(entry.details)).toMatchObject({ reason: 'user_deactivated' });
    expect(JSON.stringify(entry)).not.toContain(PASSWORD);
  });

  it('an unknown email: no account trail; a log line with the address but not the email', async () => {
    const before = (await failures()).length;
    const res = await login('nobody-here@audit.test', WRONG, '127.0.0.63');
    expect(res.status).toBe(401);
    expect(await failures()).toHaveLength(before);
    const trail = JSON.stringify(await s.db.select().from(t.auditEntries));
    expect(trail).not.toContain('nobody-here');
    const line = s.logs.find((l) => l.includes('sign-in failed') && l.includes('127.0.0.63'));
    expect(line).toBeDefined();
    expect(line).not.toContain('nobody-here');
    expect(s.logs.join('\n')).not.toContain(WRONG);
  });
});
