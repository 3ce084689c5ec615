// INT-3: sends the queued notification emails (email_outbox, filled by the audit append in the
// event's transaction) through SMTP, off the request path. Like the audit forwarding
// (OutboxDrainer), one process at a time drains it under a lease in worker_leases (SCALE-2), and
// no network I/O runs inside a transaction: claim a batch and commit, send, record each outcome.
// A failed email is retried after 10 s, then with doubling delays capped at 10 min, and given up
// on 24 h after it was queued.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Clock } from '../../core/clock';
import type { Uow } from '../../repos';
import { DEAD_LETTER_AFTER_MS, retryDelayMs } from '../../../shared/integrations';
import { errorText } from '../integrations/outbox-drainer';
import type { QueuedEmail } from './notifications.repo';

export const EMAIL_LEASE = 'email-drain';
const LEASE_MS = 60_000;
const BATCH = 50;

/** One email as the transport sends it. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
}

export type SendEmail = (mail: OutgoingEmail) => Promise<void>;

/**
 * The SMTP transport of ORGDESK_SMTP_URL (`smtp://user:pass@host:port`, `smtps://…` for TLS
 * from the first byte; plain smtp:// upgrades with STARTTLS when the server offers it). The URL
 * carries the password: it is never logged, and errors are reported by the transport's message.
 */
export function smtpSender(url: string, from: string): SendEmail {
  const transport = nodemailer.createTransport(url);
  return async (mail) => {
    await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
  };
}

export interface EmailDrainerDeps {
  uow: Uow;
  clock: Clock;
  send: SendEmail;
  holder?: string;
}

export class EmailDrainer {
  readonly holder: string;
  private running: Promise<number> | null = null;

  constructor(private readonly d: EmailDrainerDeps) {
    this.holder = d.holder ?? `email-${randomUUID()}`;
  }

  /** One pass; how many emails it sent. */
  async drainOnce(): Promise<number> {
    while (this.running) await this.running.catch(() => 0);
    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  async release(): Promise<void> {
    while (this.running) await this.running.catch(() => 0);
    await this.d.uow.write((r) => r.leases.release(EMAIL_LEASE, this.holder));
  }

  private async pass(): Promise<number> {
    const now = this.d.clock.now();
    const idle = await this.d.uow.read(
      async (r) => (await r.notifications.dueEmails(now, 1)).length === 0,
    );
    if (idle) return 0;
    const batch = await this.d.uow.write(async (r): Promise<QueuedEmail[] | null> => {
      if (!(await r.leases.acquire(EMAIL_LEASE, this.holder, now, now + LEASE_MS))) {
        return null;
      }
      await r.notifications.expireEmails(now - DEAD_LETTER_AFTER_MS, now);
      return r.notifications.dueEmails(now, BATCH);
    });
    if (!batch) return 0;
    let sent = 0;
    for (const mail of batch) {
      let error: string | null = null;
      try {
        await this.d.send({ to: mail.toAddress, subject: mail.subject, text: mail.body });
      } catch (err) {
        error = errorText(err);
      }
      const at = this.d.clock.now();
      await this.d.uow.write(async (r) => {
        await r.leases.acquire(EMAIL_LEASE, this.holder, at, at + LEASE_MS);
        if (error === null) await r.notifications.emailSent(mail.id, at);
        else
          await r.notifications.emailFailed(mail.id, error, at + retryDelayMs(mail.attempts + 1));
      });
      if (error === null) sent++;
    }
    return sent;
  }
}
