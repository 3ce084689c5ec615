// EXP-1: the export signers this computer trusts besides itself, pinned by the user after
// comparing the key's fingerprint with its owner (GET /api/v1/export-key, or the export view of
// the other installation). A small JSON file in the data directory, like connections.json;
// written whole through a temp file, owner-only. Public keys only: nothing here is secret, but
// whoever can write this file can make a signer trusted, so it lives with the master key.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { iso, systemClock, type Clock } from '../../core/clock';
import { fingerprintOf, rawPublicKey } from '../../core/export-key';
import { badRequest, notFound } from '../../core/errors';
import {
  pinSignerInput,
  unpinSignerInput,
  type PinSignerInput,
  type PinnedSigner,
} from '../../../shared/schemas/desktop.schema';

export const PINNED_SIGNERS_FILE = 'pinned-signers.json';

const storedFile = z.object({
  version: z.literal(1),
  signers: z
    .array(
      z.object({
        fingerprint: z.string(),
        public_key: z.string(),
        label: z.string().max(120),
        pinned_at: z.string(),
      }),
    )
    .max(500),
});

export class PinnedSignerStore {
  private readonly clock: Clock;
  constructor(private readonly o: { file: string; clock?: Clock }) {
    this.clock = o.clock ?? systemClock;
  }

  list(): PinnedSigner[] {
    if (!existsSync(this.o.file)) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.o.file, 'utf8'));
    } catch {
      raw = null;
    }
    const parsed = storedFile.safeParse(raw);
    if (!parsed.success) {
      // Unreadable: keep it aside for the user rather than overwrite it; trust nobody meanwhile.
      renameSync(this.o.file, `${this.o.file}.unreadable-${this.clock.now()}`);
      return [];
    }
    // An entry whose fingerprint is not its key's is not trusted (the file was edited by hand).
    return parsed.data.signers.filter((s) => {
      const raw = rawPublicKey(s.public_key);
      return raw !== null && fingerprintOf(raw) === s.fingerprint;
    });
  }

  private write(signers: PinnedSigner[]): void {
    const tmp = `${this.o.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ version: 1, signers }, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.o.file);
  }

  /** Pins a key (or renames its pin). The key is what is trusted; the label is for people. */
  pin(raw: PinSignerInput): PinnedSigner {
    const input = pinSignerInput.parse(raw);
    const key = rawPublicKey(input.public_key);
    if (!key) {
      throw badRequest(
        'public_key must be the base64 of a raw 32-byte Ed25519 public key (44 characters ending in =), as the export key shows it',
        'public_key',
      );
    }
    const pinned: PinnedSigner = {
      fingerprint: fingerprintOf(key),
      public_key: input.public_key,
      label: input.label,
      pinned_at: iso(this.clock.now()),
    };
    const rest = this.list().filter((s) => s.fingerprint !== pinned.fingerprint);
    this.write([...rest, pinned]);
    return pinned;
  }

  unpin(raw: { fingerprint: string }): void {
    const { fingerprint } = unpinSignerInput.parse(raw);
    const all = this.list();
    if (!all.some((s) => s.fingerprint === fingerprint))
      throw notFound('Pinned signer', fingerprint);
    this.write(all.filter((s) => s.fingerprint !== fingerprint));
  }
}
