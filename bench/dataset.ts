// Builds the benchmark dataset deterministically, straight through prepared statements (the
// services would audit every insert, which is not what is being measured).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditChain, GENESIS_HASH, type ChainFields } from '../main/core/audit';
import { SecretBox } from '../main/core/crypto';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { nameKey } from '../main/core/names';
import { searchText } from '../main/features/organizations/organizations.mapper';
import { ipSortKey } from '../shared/cidr';
import { mulberry32 } from './measure';

export interface DatasetSize {
  orgs: number;
  hosts: number;
  subnetsPerOrg: number;
  bigOrgSubnets: number;
  auditEntries: number;
  /** Hosts of the one org the export benchmark exports (taken out of `hosts`). */
  exportOrgHosts: number;
}

export interface Dataset {
  dir: string;
  file: string;
  now: number;
  accountId: number;
  adminUserId: number;
  size: DatasetSize;
  /** Org id → secret, for a few orgs the registration benchmark enrolls into. */
  secrets: Map<number, string>;
  bigOrgId: number;
  bigOrgCidrs: string[];
  /** An org id whose audit trail is busy enough for the audit page benchmark. */
  auditOrgId: number;
  /** The org holding `size.exportOrgHosts` hosts, for the export benchmark. */
  exportOrgId: number;
  buildSeconds: number;
}

export const REGIONS = [
  'eu-west',
  'eu-central',
  'us-east',
  'us-west',
  'apac',
  'latam',
  null,
] as const;
const WORDS = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'stark',
  'wayne',
  'tyrell',
  'cyberdyne',
  'hooli',
  'vandelay',
];
const MINUTE = 60_000;
const EXPORT_ORG_INDEX = 1;
const DAY = 24 * 60 * MINUTE;

export function buildDataset(dir: string, size: DatasetSize, now = Date.UTC(2026, 10, 1)): Dataset {
  const started = performance.now();
  const rand = mulberry32(20261122);
  const file = join(dir, 'orgdesk.db');
  const opened = openDatabase({ file });
  const db = opened.sqlite;
  const keys = new FileKeyStore(join(dir, 'master.key'));
  const box = new SecretBox(keys);
  const chain = new AuditChain(keys);
  db.pragma('synchronous = OFF');

  const secrets = new Map<number, string>();
  let accountId = 0;
  let adminUserId = 0;
  const orgLocations: number[][] = [];
  const bigOrgCidrs: string[] = [];

  db.transaction(() => {
    accountId = Number(
      db.prepare('INSERT INTO accounts (name, created_at) VALUES (?, ?)').run('Bench account', now)
        .lastInsertRowid,
    );
    adminUserId = Number(
      db
        .prepare(
          'INSERT INTO users (account_id, email, email_key, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(accountId, 'admin@bench.test', 'admin@bench.test', 'Bench admin', now, now)
        .lastInsertRowid,
    );
    db.prepare(
      "INSERT INTO role_assignments (user_id, account_id, organization_id, role) VALUES (?, ?, NULL, 'account_admin')",
    ).run(adminUserId, accountId);
    const insOrg = db.prepare(
      `INSERT INTO organizations (account_id, name, name_key, description, search_text, region, secret_ciphertext, secret_digest, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const setBox = db.prepare('UPDATE organizations SET secret_ciphertext = ? WHERE id = ?');
    const insLoc = db.prepare(
      'INSERT INTO locations (organization_id, name, name_key, timezone, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insSubnet = db.prepare(
      'INSERT INTO location_subnets (location_id, organization_id, cidr) VALUES (?, ?, ?)',
    );
    for (let i = 0; i < size.orgs; i++) {
      const word = WORDS[i % WORDS.length]!;
      const name = `${word}-${String(i).padStart(6, '0')}`;
      const description = `${word} managed client ${i}`;
      const region = REGIONS[i % REGIONS.length] ?? null;
      const secret = box.newOrgSecret();
      const orgId = Number(
        insOrg.run(
          accountId,
          name,
          nameKey(name),
          description,
          searchText(name, description),
          region,
          Buffer.alloc(0),
          box.secretDigest(secret),
          now,
          now,
        ).lastInsertRowid,
      );
      setBox.run(box.encrypt(secret, `org-secret:${orgId}`), orgId);
      if (i < 200) secrets.set(orgId, secret);
      const locs = [
        Number(insLoc.run(orgId, 'Default', 'default', 'UTC', 1, now, now).lastInsertRowid),
        Number(insLoc.run(orgId, 'HQ', 'hq', 'Europe/Berlin', 0, now, now).lastInsertRowid),
        Number(
          insLoc.run(orgId, 'Branch', 'branch', 'America/New_York', 0, now, now).lastInsertRowid,
        ),
      ];
      orgLocations.push(locs);
      const big = i === 0;
      if (big) {
        // The org with 10,000 subnets: /24s under 10.0.0.0/8, some /16s over them, a few IPv6.
        for (let k = 0; bigOrgCidrs.length < size.bigOrgSubnets; k++) {
          const a = Math.floor(k / 250);
          const b = k % 250;
          bigOrgCidrs.push(
            k % 50 === 0
              ? `10.${a}.0.0/16`
              : k % 97 === 0
                ? `2001:db8:${k.toString(16)}::/48`
                : `10.${a}.${b}.0/24`,
          );
        }
        const unique = [...new Set(bigOrgCidrs)];
        bigOrgCidrs.length = 0;
        bigOrgCidrs.push(...unique);
        bigOrgCidrs.forEach((c, k) => insSubnet.run(locs[1 + (k % 2)]!, orgId, c));
      } else {
        for (let j = 0; j < size.subnetsPerOrg; j++)
          insSubnet.run(locs[1 + (j % 2)]!, orgId, `10.${j}.${i % 256}.0/24`);
      }
    }
  })();

  // Hosts: ~75 % online, ~17 % offline, ~8 % stale or never seen.
  db.transaction(() => {
    const ins = db.prepare(
      `INSERT INTO hosts (organization_id, location_id, hostname, ip, ip_key, agent_type, public_key, pinned, registered_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL, 0, ?, ?)`,
    );
    // The first exportOrgHosts go to the export org (index 1); the rest spread evenly.
    for (let h = 0; h < size.hosts; h++) {
      const orgIdx =
        h < size.exportOrgHosts ? EXPORT_ORG_INDEX : (h - size.exportOrgHosts) % size.orgs;
      const locs = orgLocations[orgIdx]!;
      const r = rand();
      const lastSeen =
        r < 0.75
          ? now - Math.floor(rand() * 5 * MINUTE)
          : r < 0.92
            ? now - 5 * MINUTE - Math.floor(rand() * 29 * DAY)
            : r < 0.97
              ? now - 31 * DAY - Math.floor(rand() * 300 * DAY)
              : null;
      const registered = now - 400 * DAY + Math.floor(rand() * 300 * DAY);
      const ip = `10.${h % 50}.${orgIdx % 256}.${h % 250}`;
      ins.run(
        orgIdx + 1,
        locs[Math.floor(rand() * 3)]!,
        `host-${h}`,
        ip,
        ipSortKey(ip),
        h % 10 === 0 ? 'legacy' : 'go',
        registered,
        lastSeen,
      );
    }
  })();

  // Audit: one hash chain over the account, spread over the orgs.
  const auditOrgId = 1;
  db.transaction(() => {
    const ins = db.prepare(
      `INSERT INTO audit_entries (at, account_id, organization_id, actor_user_id, actor_label, action, target_type, target_id, details, prev_hash, hash, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const actions = [
      'organization.updated',
      'location.updated',
      'host.moved',
      'organization.secret.revealed',
    ];
    let prev = GENESIS_HASH;
    for (let e = 0; e < size.auditEntries; e++) {
      const orgId = e % 20 === 0 ? auditOrgId : 1 + (e % size.orgs);
      const f: ChainFields = {
        at: now - (size.auditEntries - e) * 1000,
        accountId,
        organizationId: orgId,
        actorUserId: adminUserId,
        actorLabel: 'admin@bench.test',
        action: actions[e % actions.length]!,
        targetType: 'organization',
        targetId: String(orgId),
        details: '{}',
        prevHash: prev,
      };
      const hash = chain.hash(f);
      ins.run(
        f.at,
        f.accountId,
        f.organizationId,
        f.actorUserId,
        f.actorLabel,
        f.action,
        f.targetType,
        f.targetId,
        f.details,
        f.prevHash,
        hash,
        e + 1,
      );
      prev = hash;
    }
    // The chain head the appends keep (core/audit.ts), as the server's own appends would leave it.
    db.prepare(
      `INSERT INTO audit_heads (account_id, seq, hash) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
    ).run(accountId, size.auditEntries, prev);
  })();
  db.pragma('synchronous = NORMAL');
  opened.close();
  return {
    dir,
    file,
    now,
    accountId,
    adminUserId,
    size,
    secrets,
    bigOrgId: 1,
    bigOrgCidrs,
    auditOrgId,
    exportOrgId: EXPORT_ORG_INDEX + 1,
    buildSeconds: (performance.now() - started) / 1000,
  };
}

/** With --keep: what --reuse needs to measure the same dataset again. */
export function saveDataset(ds: Dataset): void {
  writeFileSync(join(ds.dir, 'dataset.json'), JSON.stringify({ ...ds, secrets: [...ds.secrets] }));
}

export function loadDataset(dir: string): Dataset {
  const raw = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8')) as Dataset & {
    secrets: [number, string][];
  };
  return { ...raw, dir, file: join(dir, 'orgdesk.db'), secrets: new Map(raw.secrets) };
}
