import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { goAgent } from './fixtures/server';
import { t } from './fixtures/tables';
import { createWorld, type World } from './fixtures/world';

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const HOUR = 3_600_000;

describe('SEC organization secret', () => {
  it('SEC-1: unique, prefixed, high-entropy, encrypted and found only through its digest', async () => {
    const api = w.caller(w.admin);
    const a = await api.organizations.create({ name: 'A' });
    const b = await api.organizations.create({ name: 'B' });
    expect(a.secret).not.toBe(b.secret);
    // 32 random bytes = 43 base64url characters after the prefix.
    expect(a.secret.slice('odk_orgsec_'.length)).toHaveLength(43);
    expect(await w.services.secrets.findOrgBySecret(a.secret)).toMatchObject({ id: a.id });
    expect(await w.services.secrets.findOrgBySecret(b.secret)).toMatchObject({ id: b.id });
    expect(await w.services.secrets.findOrgBySecret(a.secret + 'x')).toBeNull();
    expect(await w.services.secrets.findOrgBySecret('')).toBeNull();
    const [row] = await w.db.select().from(t.organizations).where(eq(t.organizations.id, a.id));
    expect(row).toBeDefined();
    expect(row!.secretDigest).not.toContain(a.secret);
  });

  it('SEC-1: the ciphertext is bound to its org (swapping rows fails to decrypt)', async () => {
    const api = w.caller(w.admin);
    const a = await api.organizations.create({ name: 'A' });
    const b = await api.organizations.create({ name: 'B' });
    const [rowA] = await w.db.select().from(t.organizations).where(eq(t.organizations.id, a.id));
    await w.db
      .update(t.organizations)
      .set({ secretCiphertext: rowA!.secretCiphertext })
      .where(eq(t.organizations.id, b.id));
    await expect(api.organizations.revealSecret({ id: b.id })).rejects.toThrow();
  });

  it('SEC-2: reveal needs organizations.edit, and each reveal is audited without the value', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'A' });
    await expect(api.organizations.revealSecret({ id: org.id })).resolves.toEqual({
      secret: org.secret,
    });
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    const technician = w.caller(
      await w.userWith(w.accountId, [{ role: 'technician', orgId: org.id }]),
    );
    for (const who of [reader, technician]) {
      const err = await who.organizations.revealSecret({ id: org.id }).catch((e: TRPCError) => e);
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe('FORBIDDEN');
      expect((err as TRPCError).message).toMatch(/organizations\.edit/);
    }
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    await expect(orgAdmin.organizations.revealSecret({ id: org.id })).resolves.toEqual({
      secret: org.secret,
    });
    const reveals = await w.db
      .select()
      .from(t.auditEntries)
      .where(eq(t.auditEntries.action, 'organization.secret.revealed'));
    expect(reveals).toHaveLength(2);
    expect(JSON.stringify(await w.db.select().from(t.auditEntries))).not.toContain(org.secret);
  });

  it('SEC-2: copying the secret is audited as a copy (the panel says every copy is recorded), without the value', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'A' });
    await expect(api.organizations.copySecret({ id: org.id })).resolves.toEqual({
      secret: org.secret,
    });
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    const err = await reader.organizations.copySecret({ id: org.id }).catch((e: TRPCError) => e);
    expect((err as TRPCError).code).toBe('FORBIDDEN');
    expect((err as TRPCError).message).toMatch(/organizations\.edit/);
    const entries = (
      await w.db.select().from(t.auditEntries).where(eq(t.auditEntries.organizationId, org.id))
    ).map((e) => e.action);
    // A copy is its own entry, not passed off as a reveal (nothing was shown on screen).
    expect(entries.filter((a) => a === 'organization.secret.copied')).toHaveLength(1);
    expect(entries).not.toContain('organization.secret.revealed');
    expect(JSON.stringify(await w.db.select().from(t.auditEntries))).not.toContain(org.secret);
  });

  it('SEC-3: regenerate needs explicit confirmation naming the consequence', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'A' });
    const err = await api.organizations
      .regenerateSecret({ id: org.id, confirm: false as never })
      .catch((e: TRPCError) => e);
    expect((err as TRPCError).code).toBe('BAD_REQUEST');
    expect((err as TRPCError).message).toMatch(/legacy agents need the new secret/);
  });

  it('SEC-3: without grace the old secret stops at once', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'A' });
    const { secret, previous_secret_valid_until } = await api.organizations.regenerateSecret({
      id: org.id,
      confirm: true,
    });
    expect(previous_secret_valid_until).toBeNull();
    expect(secret).not.toBe(org.secret);
    expect(await w.services.secrets.findOrgBySecret(org.secret)).toBeNull();
    expect(await w.services.secrets.findOrgBySecret(secret)).toMatchObject({ id: org.id });
    expect((await api.organizations.revealSecret({ id: org.id })).secret).toBe(secret);
  });

  it('SEC-3: with grace the old secret works until the window closes', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'A' });
    const res = await api.organizations.regenerateSecret({
      id: org.id,
      confirm: true,
      grace_period_hours: 24,
    });
    expect(res.previous_secret_valid_until).toBe(new Date(w.clock.now() + 24 * HOUR).toISOString());
    w.clock.advance(24 * HOUR - 1);
    expect(await w.services.secrets.findOrgBySecret(org.secret)).toMatchObject({ id: org.id });
    w.clock.advance(1);
    expect(await w.services.secrets.findOrgBySecret(org.secret)).toBeNull();
    expect(await w.services.secrets.findOrgBySecret(res.secret)).toMatchObject({ id: org.id });
  });

  it('SEC-3: secretUsage counts the legacy agents on the current secret, and during a grace names the hosts still on the old one', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'A' });
    const legacy = (hostname: string, secret: string) =>
      w.services.agents.register(secret, { hostname, ip: '10.0.0.1', agent_type: 'legacy' });
    const beat = (hostId: number, secret: string) =>
      w.services.agents.heartbeat({
        hostId: String(hostId),
        secret,
        rawBody: Buffer.alloc(0),
        input: undefined,
      });
    const l1 = await legacy('legacy-1', org.secret);
    const l2 = await legacy('legacy-2', org.secret);
    await legacy('legacy-3', org.secret);
    // A Go agent enrolled with the secret too, but never sends it again: not counted.
    await w.services.agents.register(org.secret, {
      hostname: 'go-1',
      ip: '10.0.0.2',
      agent_type: 'go',
      public_key: goAgent().publicKey,
    });
    expect(await api.organizations.secretUsage({ id: org.id })).toEqual({
      legacy_hosts_on_current: 3,
      grace: null,
    });

    w.clock.advance(HOUR);
    const rotated = await api.organizations.regenerateSecret({
      id: org.id,
      confirm: true,
      grace_period_hours: 24,
    });
    // l1 already has the new secret; l2 heartbeats with the old one; legacy-3 is not heard from.
    w.clock.advance(60_000);
    await beat(l1.host_id, rotated.secret);
    await beat(l2.host_id, org.secret);
    const usage = await api.organizations.secretUsage({ id: org.id });
    expect(usage.legacy_hosts_on_current).toBe(1);
    expect(usage.grace).toEqual({
      previous_secret_valid_until: rotated.previous_secret_valid_until,
      hosts_on_previous_total: 2,
      hosts_on_previous: [
        expect.objectContaining({ id: l2.host_id, hostname: 'legacy-2' }),
        expect.objectContaining({ hostname: 'legacy-3' }),
      ],
    });
    // Readers see it (the overview shows it to everyone who can read the org).
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    expect(
      (await reader.organizations.secretUsage({ id: org.id })).grace?.hosts_on_previous_total,
    ).toBe(2);

    // l2 moves over; after the grace ends nothing is listed.
    w.clock.advance(60_000);
    await beat(l2.host_id, rotated.secret);
    expect(
      (await api.organizations.secretUsage({ id: org.id })).grace?.hosts_on_previous_total,
    ).toBe(1);
    w.clock.advance(24 * HOUR);
    expect(await api.organizations.secretUsage({ id: org.id })).toEqual({
      legacy_hosts_on_current: 2,
      grace: null,
    });
  });

  it('SEC-3: grace is at most 7 days', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'A' });
    const err = await api.organizations
      .regenerateSecret({ id: org.id, confirm: true, grace_period_hours: 169 })
      .catch((e: TRPCError) => e);
    expect((err as TRPCError).message).toMatch(/grace_period_hours must be at most 168/);
  });

  it('SEC-4: agent configuration carries URL and secret, needs organizations.edit, is audited', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme & Co' });
    const file = await api.organizations.agentConfig({ id: org.id });
    expect(file.filename).toBe('orgdesk-agent-Acme-Co.json');
    expect(JSON.parse(file.content)).toEqual({
      server_url: 'http://127.0.0.1:8787',
      organization_id: org.id,
      organization_secret: org.secret,
    });
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    await expect(reader.organizations.agentConfig({ id: org.id })).rejects.toThrow(
      /organizations\.edit/,
    );
    const actions = (await w.db.select().from(t.auditEntries)).map((e) => e.action);
    expect(actions).toContain('organization.agent_config.downloaded');
  });
});
