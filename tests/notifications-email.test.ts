// INT-3 (issue 18 item 4): each notification is also emailed to its admin through SMTP, queued
// in the event's transaction and sent by a drainer off the request path, with retries. The
// server here is a real SMTP server in the test process; we read what it received.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../main/core/actor';
import type { EmailDrainer } from '../main/features/notifications/email-drainer';
import { RETRY_FIRST_MS } from '../shared/integrations';
import { startSmtp, type SmtpSink } from './fixtures/smtp';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

const HOUR = 3_600_000;
const SMTP_PASS = 'smtp-pass-Zq81!never-in-mail';

let smtp: SmtpSink;
let w: World;
let api: Caller;
let admin2: Actor;
let se: Actor;
let mailer: EmailDrainer;

beforeEach(async () => {
  smtp = await startSmtp({ user: 'orgdesk-mailer', pass: SMTP_PASS });
  w = await createWorld({ smtpUrl: smtp.url });
  api = w.caller(w.admin);
  const orgId = (await api.organizations.create({ name: 'Acme' })).id;
  admin2 = await w.userWith(w.accountId, [{ role: 'account_admin' }]);
  await w.userWith(w.accountId, [{ role: 'technician', orgId }]);
  se = await w.userWith((await w.otherAccount('Platform support')).accountId, [], {
    support: true,
  });
  mailer = w.services.infra.email!;
});
afterEach(async () => {
  await w.close();
  await smtp.close();
});

const admins = () => [w.admin.label, admin2.label].sort();
/** Drains, and answers who received what since the last call. */
async function delivered(): Promise<{ to: string; subject: string; text: string }[]> {
  await mailer.drainOnce();
  const out = smtp.received.map((m) => ({ to: m.to.join(','), subject: m.subject, text: m.text }));
  return out;
}

describe('INT-3 notification emails', () => {
  it('one email to each admin for every support event, saying what happened, who and until when; nothing secret in them', async () => {
    const webhook = await api.integrations.create({
      kind: 'webhook',
      url: 'https://hooks.example.test/orgdesk',
    });
    const token = (await w.services.auth.createPersonalToken(w.admin, { name: 'ci' })).token;
    // Creating a destination notifies no one.
    expect(await delivered()).toEqual([]);

    const req = await w
      .caller(se)
      .supportAccess.request({ account_id: w.accountId, reason: 'ticket 7', duration_hours: 4 });
    // Nothing is sent inside the request: the drainer sends after the commit.
    expect(smtp.received).toEqual([]);
    let mail = await delivered();
    expect(mail.map((m) => m.to).sort()).toEqual(admins());
    expect(mail[0]!.subject).toBe(`[Orgdesk] Support access requested by ${se.label}`);
    expect(mail[0]!.text).toContain(`${se.label} asks for support access to your account for 4 h`);
    expect(mail[0]!.text).toContain('ticket 7');
    expect(smtp.received[0]!.from).toBe('orgdesk@test.invalid');

    const decided = await api.supportAccess.approve({ id: req.id, reason: 'ok' });
    const enabled = await api.supportAccess.enable({ duration_hours: 1, reason: 'onboarding' });
    w.clock.advance(2 * HOUR);
    await w.services.supportAccess.expireStale();
    await api.supportAccess.emergencyDisable({ reason: 'suspicious activity' });
    mail = await delivered();

    const subjects = (to: string) =>
      mail.filter((m) => m.to === to).map((m) => m.subject.replace('[Orgdesk] ', ''));
    for (const to of admins()) {
      expect(subjects(to)).toEqual([
        `Support access requested by ${se.label}`,
        `Support access granted to ${se.label}`,
        'Support access enabled',
        'Support access expired',
        'Support access ended',
        'Emergency disable of support access',
      ]);
    }
    const text = (subject: string) => mail.find((m) => m.subject.endsWith(subject))!.text;
    expect(text(`granted to ${se.label}`)).toContain(
      `${w.admin.label} approved request ${req.id}: ${se.label} has support access to your account until ${decided.grant!.expires_at}`,
    );
    expect(text('Support access enabled')).toContain(`until ${enabled.grant.expires_at}`);
    expect(text('Support access expired')).toContain(`ended at ${enabled.grant.expires_at}`);
    expect(text('Support access ended')).toContain(`${w.admin.label} ended support access`);
    expect(text('Emergency disable of support access')).toContain('1 grant(s) ended');

    // The secret grep over what the SMTP server received.
    const all = smtp.received.map((m) => m.raw).join('\n');
    for (const secret of [SMTP_PASS, webhook.secret!, token]) expect(all).not.toContain(secret);
  });

  it('a refused email is retried with backoff, not sooner, and sent once the server takes it', async () => {
    await api.supportAccess.enable({ duration_hours: 1 });
    smtp.refuse = true;
    expect(await mailer.drainOnce()).toBe(0);
    const rows = () => w.db.select().from(t.emailOutbox).orderBy(t.emailOutbox.id);
    expect(
      (await rows()).map((r) => [r.status, r.attempts, r.nextAttemptAt - w.clock.now()]),
    ).toEqual([
      ['pending', 1, RETRY_FIRST_MS],
      ['pending', 1, RETRY_FIRST_MS],
    ]);
    expect((await rows())[0]!.lastError).toContain('mailbox busy');
    smtp.refuse = false;
    expect(await mailer.drainOnce()).toBe(0);
    w.clock.advance(RETRY_FIRST_MS);
    expect(await mailer.drainOnce()).toBe(2);
    expect(smtp.received.map((m) => m.to.join()).sort()).toEqual(admins());
    expect((await rows()).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(await mailer.drainOnce()).toBe(0);
  });

  it('a change that rolls back queues no email', async () => {
    await expect(
      w.services.infra.uow.write(async (r) => {
        await r.audit.record(w.admin, {
          accountId: w.accountId,
          action: 'support_access.emergency_disabled',
          targetType: 'account',
          targetId: w.accountId,
        });
        throw new Error('the change fails after its audit entry');
      }),
    ).rejects.toThrow('the change fails');
    expect(await w.db.select().from(t.emailOutbox)).toEqual([]);
  });
});

describe('INT-3 without ORGDESK_SMTP_URL', () => {
  it('nothing is queued for email, and there is no email drainer', async () => {
    const plain = await createWorld();
    try {
      await plain.caller(plain.admin).supportAccess.enable({ duration_hours: 1 });
      expect(await plain.db.select().from(t.emailOutbox)).toEqual([]);
      expect(plain.services.infra.email).toBeNull();
      expect((await plain.caller(plain.admin).notifications.list()).total).toBe(1);
    } finally {
      await plain.close();
    }
  });
});
