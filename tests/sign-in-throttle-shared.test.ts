// SCALE-2: the sign-in throttle lives in the database (`sign_in_throttle`): two processes on one
// database (two createServices over it, each with its own connection: two replicas over one
// SQLite file or one PostgreSQL database) share every count,
// the reservations taken before the password check included. Each would otherwise grant its own
// five free guesses.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileKeyStore } from '../main/core/key-store';
import { verifyPassword } from '../main/core/crypto';
import { createServices, type Services } from '../main/services';
import { openTestStorage, type TestStorage } from './fixtures/test-storage';
import { createWorld, type World } from './fixtures/world';

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'shared@throttle.test';

let w: World;
let other: TestStorage;
let b: Services;
/** Calls of the password check in process B. */
let bChecks = 0;

beforeEach(async () => {
  w = await createWorld();
  await w.services.users.create(w.admin, { email: EMAIL, name: 'Shared', password: PASSWORD });
  // Process B: its own connection, services and memory; the same file and key.
  other = await openTestStorage(w.dir, { guardTransactions: true, pgDatabase: w.pgDatabase });
  b = createServices({
    storage: other.storage,
    clock: w.clock,
    keys: new FileKeyStore(join(w.dir, 'master.key')),
    passwordVerifier: (password, stored) => {
      bChecks++;
      return verifyPassword(password, stored);
    },
  });
  bChecks = 0;
});
afterEach(async () => {
  await b.infra.offload.close();
  await other.stop();
  await w.close();
});

const code = (err: unknown) => (err as { code?: string }).code;

describe('the sign-in throttle across processes on one database', () => {
  it('failures counted by one process lock the account in the other', async () => {
    for (let i = 0; i < 5; i++) {
      await expect(
        w.services.auth.login({ email: EMAIL, password: 'wrong guess' }, { address: '192.0.2.1' }),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    // Another process, another address, the right password: the account's key is locked.
    const err = await b.auth
      .login({ email: EMAIL, password: PASSWORD }, { address: '192.0.2.2' })
      .catch((e: unknown) => e);
    expect(code(err)).toBe('TOO_MANY_REQUESTS');
    expect(bChecks).toBe(0);
    // Once the lockout ran out, B evaluates again, and the right password works.
    w.clock.advance(1000);
    await expect(
      b.auth.login({ email: EMAIL, password: PASSWORD }, { address: '192.0.2.2' }),
    ).resolves.toMatchObject({ token: expect.stringMatching(/^odk_ses_/) });
  });

  it('attempts still being checked in one process count in the other (reserved before the hash)', async () => {
    // Process A's password checks wait at a gate, as five slow scrypt calls would.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let aChecks = 0;
    // Process A: a connection of its own too (the world's services stay unused here).
    const mine = await openTestStorage(w.dir, {
      guardTransactions: true,
      pgDatabase: w.pgDatabase,
    });
    const a = createServices({
      storage: mine.storage,
      clock: w.clock,
      keys: new FileKeyStore(join(w.dir, 'master.key')),
      passwordVerifier: async (password, stored) => {
        aChecks++;
        await gate;
        return verifyPassword(password, stored);
      },
    });
    const pending = Array.from({ length: 5 }, () =>
      a.auth
        .login({ email: EMAIL, password: 'wrong guess' }, { address: '192.0.2.1' })
        .catch((e: unknown) => e),
    );
    while (aChecks < 5) await new Promise((resolve) => setTimeout(resolve, 1));
    const err = await b.auth
      .login({ email: EMAIL, password: PASSWORD }, { address: '192.0.2.9' })
      .catch((e: unknown) => e);
    expect(code(err)).toBe('TOO_MANY_REQUESTS');
    expect(bChecks).toBe(0);
    open();
    expect((await Promise.all(pending)).map(code)).toEqual(Array(5).fill('UNAUTHORIZED'));
    await a.infra.offload.close();
    await mine.stop();
  });

  it('wrong second-factor codes counted by one process are counted by the other', async () => {
    await w.services.mfa.enrolTotp(w.admin);
    for (let i = 0; i < 5; i++) {
      // A code of the wrong length is never a valid one: a wrong code, surely.
      await expect(
        w.services.mfa.confirmTotp(w.admin, undefined, { code: '00000a' }),
      ).rejects.toBeTruthy();
    }
    const err = await b.mfa
      .confirmTotp(w.admin, undefined, { code: '000000' })
      .catch((e: unknown) => e);
    expect(code(err)).toBe('TOO_MANY_REQUESTS');
  });
});
