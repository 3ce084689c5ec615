// EXP-1 as changed: the manifest of an export is signed (Ed25519) by the exporting installation's
// export key. Review and restore verify the signature and say who signed; a signer that is neither
// this installation nor pinned is "unknown", never trusted; a tampered file is refused even when
// its checksum was recomputed. And the format is implementable outside Node: a verifier in a few
// lines of shell (the stock sqlite3 tool and openssl) checks a real export.
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hosts } from '../main/db/schema';
import { computeChecksum } from '../main/desktop/export/export-file';
import { openReview, type ReviewHandle } from '../main/desktop/export/review';
import { PinnedSignerStore } from '../main/desktop/export/pinned-signers';
import { trustOf, type KnownSigners } from '../main/desktop/export/signer-trust';
import { sqliteOnly } from './fixtures/test-engine';
import { createExportWorld, MIGRATIONS, type ExportWorld } from './fixtures/export-world';

// The PostgreSQL pass skips these: the desktop's export is of its local SQLite database.
const DESKTOP_EXPORT = sqliteOnly(
  "EXP-1's signed manifest is the desktop's export of its local SQLite database (a SQLite " +
    'file, checked with sqlite3 and openssl); the server on PostgreSQL makes no ' +
    '.orgdesk-export',
);

let x: ExportWorld;
let review: ReviewHandle | null = null;
const others: ExportWorld[] = [];
beforeEach(async () => {
  x = await createExportWorld();
});
afterEach(async () => {
  review?.close();
  review = null;
  for (const o of others.splice(0)) await o.w.close();
  await x.w.close();
});

const exportOrg = (world: ExportWorld, name: string) =>
  world.exporter.exportTo(
    world.w.admin,
    { scope: 'organization', organization_id: world.acme.id },
    world.file(name),
  );

/** What this installation knows: its own key, and no pins yet. */
const known = (pinned: KnownSigners['pinned'] = []): KnownSigners => ({
  own: x.w.services.infra.signer.key(),
  pinned,
});

/**
 * The attack: change a Go host's public key in the file (so a restore would let the attacker's
 * agent sign as that host), then recompute the checksum exactly as the format says and write it
 * into the manifest, as anyone holding the file can.
 */
function injectHostKey(file: string, key: string): void {
  const db = new Database(file);
  try {
    db.prepare("UPDATE hosts SET public_key = ? WHERE hostname = 'web-1'").run(key);
    db.prepare("UPDATE manifest SET value = ? WHERE key = 'content_sha256'").run(
      computeChecksum(db),
    );
  } finally {
    db.close();
  }
}

describe.skipIf(DESKTOP_EXPORT)('EXP-1 signed exports', () => {
  it('a tampered export with a recomputed checksum is refused by review and by restore', async () => {
    const { file } = await exportOrg(x, 'tampered.orgdesk-export');
    const attacker = 'ed25519-public-ATTACKER';
    injectHostKey(file, attacker);

    await expect(openReview(file, { migrationsFolder: MIGRATIONS })).rejects.toThrow(
      /signature does not match/,
    );
    await expect(x.restorer.restoreOrganization(x.w.admin, file)).rejects.toThrow(
      /signature does not match/,
    );
    // Nothing of the file reached the live database.
    const injected = x.w.opened.db.select().from(hosts).where(eq(hosts.publicKey, attacker)).all();
    expect(injected).toEqual([]);
  });

  it('a file signed by this installation verifies, names its signer and is trusted', async () => {
    const { file, manifest } = await exportOrg(x, 'own.orgdesk-export');
    const own = x.w.services.infra.signer.key();
    expect(manifest).toMatchObject({
      format_version: 2,
      signature_algorithm: 'Ed25519',
      signer_public_key: own.public_key,
      signer_label: own.label,
    });
    // The fingerprint: base64url of SHA-256 over the raw 32-byte public key.
    const raw = Buffer.from(own.public_key, 'base64');
    expect(raw).toHaveLength(32);
    expect(own.fingerprint).toBe(
      execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: raw }).toString('base64url'),
    );
    review = await openReview(file, { migrationsFolder: MIGRATIONS });
    expect(review.signer).toEqual({
      public_key: own.public_key,
      fingerprint: own.fingerprint,
      label: own.label,
    });
    expect(trustOf(review.signer, known())).toMatchObject({
      trust: 'own',
      trusted: true,
      fingerprint: own.fingerprint,
    });
    // Restore accepts it without asking.
    expect((await x.restorer.restoreOrganization(x.w.admin, file)).name).toBe('Acme (restored)');
  });

  it('a file signed by another installation is from an "unknown signer" until pinned', async () => {
    const elsewhere = await createExportWorld();
    others.push(elsewhere);
    const { file } = await exportOrg(elsewhere, 'elsewhere.orgdesk-export');
    const theirs = elsewhere.w.services.infra.signer.key();
    expect(theirs.fingerprint).not.toBe(x.w.services.infra.signer.key().fingerprint);

    review = await openReview(file, { migrationsFolder: MIGRATIONS });
    const trust = trustOf(review.signer, known());
    expect(trust).toMatchObject({ trust: 'unknown', trusted: false });
    expect(trust.summary).toMatch(/^Unknown signer/);
    expect(trust.summary).toContain(theirs.fingerprint);
    review.close();
    review = null;

    // Restore refuses an unpinned signer unless the user accepts exactly this one.
    const restorer = x.restorerWith(known());
    let refused: unknown;
    try {
      await restorer.restoreOrganization(x.w.admin, file);
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', field: 'accept_signer' });
    expect((refused as Error).message).toContain(theirs.fingerprint);
    await expect(
      restorer.restoreOrganization(x.w.admin, file, { accept_signer: 'A'.repeat(43) }),
    ).rejects.toThrow(/unknown signer/);
    const accepted = await restorer.restoreOrganization(x.w.admin, file, {
      accept_signer: theirs.fingerprint,
    });
    expect(accepted.name).toBe('Acme (restored)');

    // Pinned (a JSON file in the data dir), the same signer is trusted, under the pin's name.
    const pins = new PinnedSignerStore({ file: join(x.w.dir, 'pinned-signers.json') });
    pins.pin({ public_key: theirs.public_key, label: 'Branch office laptop' });
    expect(new PinnedSignerStore({ file: join(x.w.dir, 'pinned-signers.json') }).list()).toEqual([
      expect.objectContaining({ fingerprint: theirs.fingerprint, label: 'Branch office laptop' }),
    ]);
    expect(trustOf({ ...theirs }, known(pins.list()))).toMatchObject({
      trust: 'pinned',
      trusted: true,
      pinned_label: 'Branch office laptop',
    });
    expect(
      (await x.restorerWith(known(pins.list())).restoreOrganization(x.w.admin, file)).name,
    ).toBe('Acme (restored 2)');
    // A key that is not Ed25519 (or not 32 bytes) is not pinned.
    expect(() => pins.pin({ public_key: 'AAAA', label: 'x' })).toThrow(/public_key/);
  });

  it('a changed signature, signer key or manifest field is refused with a clear message', async () => {
    const a = (await exportOrg(x, 'sig.orgdesk-export')).file;
    const db = new Database(a);
    const sig = Buffer.from(
      (db.prepare("SELECT value FROM manifest WHERE key = 'signature'").get() as { value: string })
        .value,
      'base64',
    );
    sig[0]! ^= 1;
    db.prepare("UPDATE manifest SET value = ? WHERE key = 'signature'").run(sig.toString('base64'));
    db.close();
    await expect(openReview(a, { migrationsFolder: MIGRATIONS })).rejects.toThrow(
      /signature does not match/,
    );
    // Naming another installation's key as the signer does not make its signature fit.
    const elsewhere = await createExportWorld();
    others.push(elsewhere);
    const b = (await exportOrg(x, 'key.orgdesk-export')).file;
    const db2 = new Database(b);
    db2
      .prepare("UPDATE manifest SET value = ? WHERE key = 'signer_public_key'")
      .run(elsewhere.w.services.infra.signer.key().public_key);
    db2.close();
    await expect(x.restorer.restoreOrganization(x.w.admin, b)).rejects.toThrow(
      /signature does not match/,
    );
    // Nor does any other manifest field change go unnoticed (the manifest is not checksummed).
    const c = (await exportOrg(x, 'source.orgdesk-export')).file;
    const db3 = new Database(c);
    db3.prepare("UPDATE manifest SET value = 'a trusted machine' WHERE key = 'source'").run();
    db3.close();
    await expect(openReview(c, { migrationsFolder: MIGRATIONS })).rejects.toThrow(
      /signature does not match/,
    );
  });
});

/**
 * EXP-1: a third party verifies an export without Orgdesk: the stock sqlite3 tool recomputes the
 * content checksum and rebuilds the signed manifest text, openssl verifies the Ed25519 signature.
 * This is the procedure docs/export-format.md describes, as a shell script.
 */
const VERIFY_SH = String.raw`
set -euo pipefail
f="$1"; out="$2"
q() { sqlite3 -readonly -batch "$f" "$1"; }
# 1. The content checksum: SHA-256 over the canonical text of the schema and of every table.
{
  echo 'orgdesk-export-content/2'
  q "SELECT 'schema ' || type || ' ' || name || ' ' || tbl_name || ' ' || hex(sql) FROM sqlite_schema WHERE tbl_name <> 'manifest' ORDER BY type, name"
  for t in $(q "SELECT name FROM sqlite_schema s WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' AND name <> 'manifest' AND upper(substr(sql, 1, 20)) <> 'CREATE VIRTUAL TABLE' AND NOT EXISTS (SELECT 1 FROM sqlite_schema v WHERE v.type = 'table' AND upper(substr(v.sql, 1, 20)) = 'CREATE VIRTUAL TABLE' AND substr(s.name, 1, length(v.name) + 1) = v.name || '_') ORDER BY name"); do
    echo "table $t"
    q "SELECT 'columns ' || group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('$t') ORDER BY cid)"
    cols=$(q "SELECT group_concat('typeof(\"' || name || '\") || '':'' || hex(\"' || name || '\")', ' || '','' || ') FROM (SELECT name FROM pragma_table_info('$t') ORDER BY cid)")
    q "SELECT $cols FROM \"$t\" ORDER BY rowid"
  done
} | sha256sum | cut -d' ' -f1 > "$out/content.sha256"
# 2. The signed text: a header line, then key=value for every manifest row but the signature.
{ echo 'orgdesk-export-manifest/2'; q "SELECT key || '=' || value FROM manifest WHERE key <> 'signature' ORDER BY key"; } > "$out/manifest.txt"
q "SELECT value FROM manifest WHERE key = 'content_sha256'" > "$out/claimed.sha256"
q "SELECT value FROM manifest WHERE key = 'signature'" | base64 -d > "$out/manifest.sig"
q "SELECT value FROM manifest WHERE key = 'signer_public_key'" | base64 -d > "$out/key.raw"
# 3. The raw 32-byte key as a PEM public key (SPKI: a fixed 12-byte DER prefix), its fingerprint.
{ echo '-----BEGIN PUBLIC KEY-----'; { printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'; cat "$out/key.raw"; } | base64; echo '-----END PUBLIC KEY-----'; } > "$out/key.pem"
openssl dgst -sha256 -binary "$out/key.raw" | base64 | tr '+/' '-_' | tr -d '=' > "$out/fingerprint"
cmp -s "$out/content.sha256" "$out/claimed.sha256" || { echo "checksum mismatch"; exit 3; }
openssl pkeyutl -verify -pubin -inkey "$out/key.pem" -rawin -in "$out/manifest.txt" -sigfile "$out/manifest.sig"
`;

describe.skipIf(DESKTOP_EXPORT)(
  'EXP-1 the export format, verified outside Node (sqlite3 + openssl)',
  () => {
    const tools = ['sqlite3', 'openssl', 'sha256sum', 'base64'].filter(
      (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0,
    );

    const verify = (file: string) => {
      const out = mkdtempSync(join(tmpdir(), 'orgdesk-verify-'));
      const script = join(out, 'verify.sh');
      writeFileSync(script, VERIFY_SH);
      const r = spawnSync('bash', [script, file, out], { encoding: 'utf8' });
      const read = (name: string) =>
        spawnSync('cat', [join(out, name)], { encoding: 'utf8' }).stdout.trim();
      return { status: r.status, output: `${r.stdout}${r.stderr}`.trim(), read };
    };

    it('a shell script recomputes the checksum and verifies the signature of a real export', async () => {
      expect(tools, 'tools the verifier needs (.ci/run installs them)').toEqual([]);
      const { file, manifest } = await exportOrg(x, 'third-party.orgdesk-export');
      const ok = verify(file);
      expect(ok.output).toBe('Signature Verified Successfully');
      expect(ok.status).toBe(0);
      expect(ok.read('content.sha256')).toBe(manifest.content_sha256);
      expect(ok.read('fingerprint')).toBe(x.w.services.infra.signer.key().fingerprint);

      // The same script catches the attack above: the checksum matches (recomputed), the
      // signature does not.
      injectHostKey(file, 'ed25519-public-ATTACKER');
      const bad = verify(file);
      expect(bad.status).not.toBe(0);
      expect(bad.output).toMatch(/Signature Verification Failure/);

      // And a change the checksum was not recomputed for is a checksum mismatch.
      const { file: other } = await exportOrg(x, 'third-party-2.orgdesk-export');
      const db = new Database(other);
      db.prepare("UPDATE locations SET name = 'Elsewhere' WHERE name = 'HQ'").run();
      db.close();
      expect(verify(other)).toMatchObject({ status: 3, output: 'checksum mismatch' });
    });
  },
);
