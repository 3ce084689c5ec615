// Parity of the group C identity repositories (issue 15): auth, sso, mfa and passkeys. The same
// script of repository calls runs on a migrated SQLite database and on a PostgreSQL test
// database, both seeded with the same rows, and every result must be deeply equal: same rows,
// same order, same conditional outcomes. Then the one-time uses race on PostgreSQL: two
// transactions consuming one recovery code, one OIDC state, one handoff, one passkey challenge
// or one MFA challenge at once: one wins, never both.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../../main/core/uow';
import type { PgAuthRepo } from '../../main/db/pg/repos/auth';
import { SqliteAuthRepo } from '../../main/db/sqlite/repos/auth';
import { pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';
import {
  barrier,
  bothEngines,
  openEngines,
  type C,
  type Engines,
  type Seed,
} from './repos-c-harness';

const T0 = 1_750_000_000_000;
const key = Buffer.from([9, 8, 7]);

const SEED: Seed = [
  [
    'accounts',
    [
      { id: 1, name: 'one', createdAt: T0, requireMfa: true },
      { id: 2, name: 'two', createdAt: T0 },
      { id: 3, name: 'three', createdAt: T0, isActive: false },
    ],
  ],
  [
    'users',
    [
      [1, 1, 'Amy@one.example'],
      [2, 1, 'bob@one.example'],
      [3, 2, 'cy@two.example'],
      [4, 3, 'dee@three.example'],
    ].map(([id, accountId, email]) => ({
      id,
      accountId,
      email,
      emailKey: String(email).toLowerCase(),
      name: `User ${id}`,
      passwordHash: 'x',
      isActive: id !== 2,
      createdAt: T0,
      updatedAt: T0,
    })),
  ],
  [
    'apiTokens',
    [
      // id, user, kind, expiresAt, revokedAt, lastUsedAt
      [1, 1, 'session', null, null, null],
      [2, 1, 'personal', null, null, T0 - 100],
      [3, 1, 'session', T0 - 1, null, null],
      [4, 1, 'session', T0 + 1e6, null, T0 - 10],
      [5, 1, 'session', null, T0 - 5, null],
      [6, 1, 'personal', T0 + 1e6, null, null],
      [7, 3, 'session', null, null, null],
    ].map(([id, userId, kind, expiresAt, revokedAt, lastUsedAt]) => ({
      id,
      userId,
      kind,
      name: `token ${id}`,
      tokenDigest: `tok-${id}`,
      readOnly: id === 6,
      createdAt: T0 - 1000,
      expiresAt,
      revokedAt,
      lastUsedAt,
      client: id === 1 ? 'desktop' : null,
      clientAddress: id === 1 ? '127.0.0.1' : null,
    })),
  ],
  [
    'userTotp',
    [
      { userId: 1, secretCiphertext: key, confirmedAt: T0 - 50, lastStep: 100, createdAt: T0 - 60 },
      { userId: 3, secretCiphertext: key, createdAt: T0 - 60 },
    ],
  ],
  [
    'mfaRecoveryCodes',
    [
      { id: 1, userId: 1, codeDigest: 'rc-1', createdAt: T0 - 60 },
      { id: 2, userId: 1, codeDigest: 'rc-2', createdAt: T0 - 60, usedAt: T0 - 10 },
      { id: 3, userId: 1, codeDigest: 'rc-3', createdAt: T0 - 60 },
      { id: 4, userId: 3, codeDigest: 'rc-1', createdAt: T0 - 60 },
    ],
  ],
  [
    'mfaChallenges',
    [
      // id, user, failures, expiresAt, usedAt
      [1, 1, 0, T0 + 1e5, null],
      [2, 1, 5, T0 + 1e5, null],
      [3, 1, 0, T0 - 1, null],
      [4, 1, 0, T0 + 1e5, T0 - 3],
      [5, 3, 0, T0 + 1e5, null],
    ].map(([id, userId, failures, expiresAt, usedAt]) => ({
      id,
      userId,
      tokenDigest: `mc-${id}`,
      address: '127.0.0.1',
      failures,
      createdAt: T0 - 100,
      expiresAt,
      usedAt,
    })),
  ],
  [
    'passkeys',
    [
      // id, user, credential, counter
      [1, 1, 'cred-b', 5],
      [2, 1, 'cred-a', 0],
      [3, 3, 'cred-c', 2],
    ].map(([id, userId, credentialId, counter]) => ({
      id,
      userId,
      credentialId,
      publicKey: key,
      counter,
      transports: '["usb"]',
      name: `key ${id}`,
      createdAt: T0 - 100,
    })),
  ],
  [
    'webauthnChallenges',
    [
      [1, 1, 'register', null, T0 + 1e5, null],
      [2, 1, 'sign_in', 1, T0 + 1e5, null],
      [3, 1, 'step_up', null, T0 - 1, null],
      [4, 1, 'sign_in', null, T0 + 1e5, T0 - 2],
    ].map(([id, userId, purpose, mfaChallengeId, expiresAt, usedAt]) => ({
      id,
      userId,
      purpose,
      challengeDigest: `wc-${id}`,
      mfaChallengeId,
      createdAt: T0 - 100,
      expiresAt,
      usedAt,
    })),
  ],
  [
    'ssoConfigs',
    [3, 1, 2].map((accountId) => ({
      accountId,
      issuer: `https://idp${accountId}.example`,
      clientId: `client-${accountId}`,
      clientSecretCiphertext: accountId === 1 ? key : null,
      allowedDomains: '["one.example"]',
      groupMappings: '[]',
      enabled: accountId !== 2,
      updatedAt: T0 - 100,
    })),
  ],
  [
    'oidcSignIns',
    [
      // id, account, expiresAt, calledBackAt, user, handoff, handoffExpiresAt, exchangedAt
      [1, 1, T0 + 1e5, null, null, null, null, null],
      [2, 1, T0 - 1, null, null, null, null, null],
      [3, 1, T0 + 1e5, T0 - 5, 1, 'ho-3', T0 + 1e4, null],
      [4, 1, T0 + 1e5, T0 - 5, 1, 'ho-4', T0 - 1, null],
      [5, 1, T0 + 1e5, T0 - 5, 1, 'ho-5', T0 + 1e4, T0 - 2],
      [6, 2, T0 - 5000, T0 - 6000, 3, 'ho-6', T0 - 5500, T0 - 5900],
    ].map(
      ([id, accountId, expiresAt, calledBackAt, userId, handoffDigest, hoExp, exchangedAt]) => ({
        id,
        accountId,
        stateDigest: `st-${id}`,
        nonce: `n-${id}`,
        providerVerifier: `pv-${id}`,
        clientChallenge: `cc-${id}`,
        returnTo: '/',
        clientState: id === 1 ? 'cs' : null,
        createdAt: T0 - 10_000,
        expiresAt,
        calledBackAt,
        userId,
        handoffDigest,
        handoffExpiresAt: hoExp,
        exchangedAt,
      }),
    ),
  ],
];

async function script(uow: UnitOfWork<C>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const log = (name: string, v: unknown) => {
    out[name] = v;
  };
  // auth
  await uow.write(async (r) => {
    log('auth.userByEmailKey', [
      await r.auth.userByEmailKey('amy@one.example'),
      await r.auth.userByEmailKey('dee@three.example'),
      await r.auth.userByEmailKey('Amy@one.example'),
    ]);
    log('auth.userById', [await r.auth.userById(3), await r.auth.userById(99)]);
    log(
      'auth.insertToken',
      await r.auth.insertToken({
        userId: 3,
        kind: 'session',
        name: 'new',
        readOnly: false,
        tokenDigest: 'tok-new',
        createdAt: T0,
        expiresAt: T0 + 500,
        secondFactorAt: T0,
        clientAddress: '10.0.0.1',
        client: 'cli',
      }),
    );
    log(
      'auth.insertToken.minimal',
      await r.auth.insertToken({
        userId: 3,
        kind: 'personal',
        name: 'min',
        readOnly: true,
        tokenDigest: 'tok-min',
        createdAt: T0,
      }),
    );
    log('auth.personalTokensOf', [
      await r.auth.personalTokensOf(1),
      await r.auth.personalTokensOf(2),
    ]);
    log('auth.byDigest', [await r.auth.byDigest('tok-7'), await r.auth.byDigest('none')]);
    log('auth.liveSessionsOf', await r.auth.liveSessionsOf(1, T0));
    log('auth.revokeOwn', [
      await r.auth.revokeOwn(6, 3, T0 + 1), // someone else's: nothing
      await r.auth.revokeOwn(6, 1, T0 + 1),
      await r.auth.revokeOwn(6, 1, T0 + 2), // revoked already
    ]);
    log('auth.revokeOwnSession', [
      await r.auth.revokeOwnSession(2, 1, T0 + 3), // personal, not a session
      await r.auth.revokeOwnSession(3, 1, T0 + 3), // expired
      await r.auth.revokeOwnSession(4, 1, T0 + 3),
    ]);
    await r.auth.revokeOwnByDigest('tok-7', 1, T0 + 4); // not user 1's
    await r.auth.revokeOwnByDigest('tok-new', 3, T0 + 4);
    log('auth.revokeOwnByDigest', [
      await r.auth.byDigest('tok-7'),
      await r.auth.byDigest('tok-new'),
    ]);
    log('auth.revokeSessionsExcept', [
      await r.auth.revokeSessionsExcept(1, 'tok-1', T0 + 5),
      await r.auth.revokeSessionsExcept(3, null, T0 + 5),
      await r.auth.revokeSessionsExcept(1, null, T0 + 6),
    ]);
    log('auth.after', await r.auth.liveSessionsOf(1, T0));
  });
  // mfa
  await uow.write(async (r) => {
    log('mfa.totpOf', [await r.mfa.totpOf(1), await r.mfa.totpOf(2)]);
    log('mfa.putPendingTotp', [
      await r.mfa.putPendingTotp(1, Buffer.from('new'), T0), // confirmed: refused
      await r.mfa.putPendingTotp(3, Buffer.from('again'), T0 + 1), // pending: replaced
      await r.mfa.putPendingTotp(4, Buffer.from('first'), T0 + 2),
    ]);
    log('mfa.totpAfterPut', [await r.mfa.totpOf(1), await r.mfa.totpOf(3), await r.mfa.totpOf(4)]);
    log('mfa.claimTotpStep', [
      await r.mfa.claimTotpStep(1, 100, true), // not later
      await r.mfa.claimTotpStep(1, 101, true),
      await r.mfa.claimTotpStep(1, 102, false), // confirmed, not pending
      await r.mfa.claimTotpStep(3, 7, false), // pending, no step yet
      await r.mfa.claimTotpStep(3, 8, true),
      await r.mfa.claimTotpStep(99, 1, true),
    ]);
    log('mfa.confirmTotp', [
      await r.mfa.confirmTotp(3, T0 + 3),
      await r.mfa.confirmTotp(3, T0 + 4),
      await r.mfa.confirmTotp(1, T0 + 4),
    ]);
    log('mfa.recoveryCodesLeft', [
      await r.mfa.recoveryCodesLeft(1),
      await r.mfa.recoveryCodesLeft(2),
    ]);
    log('mfa.useRecoveryCode', [
      await r.mfa.useRecoveryCode(1, 'rc-1', T0 + 5),
      await r.mfa.useRecoveryCode(1, 'rc-1', T0 + 6),
      await r.mfa.useRecoveryCode(1, 'rc-2', T0 + 6), // used before
      await r.mfa.useRecoveryCode(2, 'rc-3', T0 + 6), // another user's code
    ]);
    log('mfa.recoveryAfterUse', await r.mfa.recoveryCodesLeft(1));
    await r.mfa.replaceRecoveryCodes(3, ['x-1', 'x-2', 'x-3'], T0 + 7);
    await r.mfa.replaceRecoveryCodes(1, [], T0 + 7);
    log('mfa.replaceRecoveryCodes', [
      await r.mfa.recoveryCodesLeft(3),
      await r.mfa.recoveryCodesLeft(1),
      await r.mfa.useRecoveryCode(3, 'rc-1', T0 + 8), // replaced
      await r.mfa.useRecoveryCode(3, 'x-2', T0 + 8),
    ]);
    await r.mfa.deleteTotp(3);
    log('mfa.deleteTotp', [await r.mfa.totpOf(3), await r.mfa.recoveryCodesLeft(3)]);
    await r.mfa.insertChallenge({
      userId: 3,
      tokenDigest: 'mc-new',
      address: '::1',
      createdAt: T0,
      expiresAt: T0 + 100,
    });
    log('mfa.challengeByDigest', [
      await r.mfa.challengeByDigest('mc-new'),
      await r.mfa.challengeByDigest('mc-2'),
      await r.mfa.challengeByDigest('none'),
    ]);
    await r.mfa.failChallenge(1);
    await r.mfa.failChallenge(1);
    log('mfa.consumeChallenge', [
      await r.mfa.consumeChallenge(1, T0, 3),
      await r.mfa.consumeChallenge(1, T0, 3), // used
      await r.mfa.consumeChallenge(2, T0, 5), // burnt by failures
      await r.mfa.consumeChallenge(3, T0, 5), // expired
      await r.mfa.consumeChallenge(4, T0, 5), // used before
      await r.mfa.consumeChallenge(5, T0, 1),
    ]);
    log('mfa.challengesAfter', [
      await r.mfa.challengeByDigest('mc-1'),
      await r.mfa.challengeByDigest('mc-5'),
    ]);
    await r.mfa.stampSecondFactor('tok-1', 1, T0 + 9);
    await r.mfa.stampSecondFactor('tok-7', 1, T0 + 9); // not user 1's
    log('mfa.secondFactorAtOf', [
      await r.mfa.secondFactorAtOf('tok-1'),
      await r.mfa.secondFactorAtOf('tok-7'),
      await r.mfa.secondFactorAtOf('none'),
    ]);
    log('mfa.requireMfaOf', [
      await r.mfa.requireMfaOf(1),
      await r.mfa.requireMfaOf(2),
      await r.mfa.requireMfaOf(99),
    ]);
    await r.mfa.setRequireMfa(2, true);
    await r.mfa.setRequireMfa(1, false);
    log('mfa.setRequireMfa', [await r.mfa.requireMfaOf(1), await r.mfa.requireMfaOf(2)]);
  });
  // what auth reads of the second factor, after the writes
  await uow.read(async (r) => {
    log('auth.userWithFactors', [
      await r.auth.userById(1),
      await r.auth.userById(3),
      await r.auth.userById(4),
    ]);
  });
  // passkeys
  await uow.write(async (r) => {
    log('pk.passkeysOf', [await r.passkeys.passkeysOf(1), await r.passkeys.passkeysOf(2)]);
    log('pk.countOf', [await r.passkeys.countOf(1), await r.passkeys.countOf(4)]);
    log('pk.byCredentialId', [
      await r.passkeys.byCredentialId('cred-a'),
      await r.passkeys.byCredentialId('CRED-A'),
    ]);
    const fresh = {
      userId: 4,
      credentialId: 'cred-new',
      publicKey: Buffer.from('pk'),
      counter: 0,
      transports: '[]',
      name: 'new key',
      createdAt: T0,
    };
    log('pk.insert', [
      await r.passkeys.insert(fresh),
      await r.passkeys.insert({ ...fresh, userId: 1, name: 'dup' }), // taken: anyone's
    ]);
    log('pk.rename', [
      await r.passkeys.rename(1, 1, 'renamed'),
      await r.passkeys.rename(1, 3, 'not yours'),
    ]);
    log('pk.claimCounter', [
      await r.passkeys.claimCounter(1, 5, T0), // not above
      await r.passkeys.claimCounter(1, 6, T0 + 1),
      await r.passkeys.claimCounter(1, 0, T0 + 2), // a counter went back to 0
      await r.passkeys.claimCounter(2, 0, T0 + 3), // no counter: both 0
      await r.passkeys.claimCounter(2, 0, T0 + 4),
      await r.passkeys.claimCounter(99, 9, T0),
    ]);
    log('pk.remove', [await r.passkeys.remove(3, 1), await r.passkeys.remove(3, 3)]);
    log('pk.after', [await r.passkeys.passkeysOf(1), await r.passkeys.passkeysOf(3)]);
    await r.passkeys.insertChallenge({
      userId: 4,
      purpose: 'step_up',
      challengeDigest: 'wc-new',
      mfaChallengeId: null,
      createdAt: T0,
      expiresAt: T0 + 100,
    });
    log('pk.challengeByDigest', [
      await r.passkeys.challengeByDigest('wc-new'),
      await r.passkeys.challengeByDigest('wc-2'),
      await r.passkeys.challengeByDigest('none'),
    ]);
    log('pk.consumeChallenge', [
      await r.passkeys.consumeChallenge(1, T0),
      await r.passkeys.consumeChallenge(1, T0),
      await r.passkeys.consumeChallenge(3, T0), // expired
      await r.passkeys.consumeChallenge(4, T0), // used before
    ]);
  });
  // sso
  await uow.write(async (r) => {
    log('sso.config', [await r.sso.config(1), await r.sso.config(99)]);
    log('sso.configForSignIn', [
      await r.sso.configForSignIn(3),
      await r.sso.configForSignIn(2),
      await r.sso.configForSignIn(99),
    ]);
    log('sso.enabledConfigs', await r.sso.enabledConfigs());
    const cfg = (await r.sso.config(2))!;
    await r.sso.saveConfig({ ...cfg, enabled: true, issuer: 'https://new.example', updatedAt: T0 });
    await r.sso.saveConfig({ ...cfg, accountId: 3, clientSecretCiphertext: key, updatedAt: T0 });
    log('sso.saveConfig', [await r.sso.config(2), await r.sso.enabledConfigs()]);
  });
  await uow.write(async (r) => {
    await r.sso.insertSignIn({
      accountId: 2,
      stateDigest: 'st-new',
      nonce: 'n',
      providerVerifier: 'pv',
      clientChallenge: 'cc-new',
      returnTo: 'http://127.0.0.1:5555/cb',
      clientState: null,
      createdAt: T0,
      expiresAt: T0 + 600,
    });
    log('sso.takeCallback', [
      await r.sso.takeCallback('st-new', T0 + 1),
      await r.sso.takeCallback('st-new', T0 + 2), // taken
      await r.sso.takeCallback('st-2', T0), // expired
      await r.sso.takeCallback('st-3', T0), // called back before
      await r.sso.takeCallback('none', T0),
    ]);
    const taken = (await r.sso.takeCallback('st-1', T0))!;
    log('sso.takeCallback.1', taken);
    await r.sso.setHandoff(taken.id, 2, 'ho-1', T0 + 60);
    log('sso.takeHandoff', [
      await r.sso.takeHandoff('ho-1', 'cc-wrong', T0 + 1), // not the client that started
      await r.sso.takeHandoff('ho-1', 'cc-1', T0 + 1),
      await r.sso.takeHandoff('ho-1', 'cc-1', T0 + 2), // exchanged
      await r.sso.takeHandoff('ho-4', 'cc-4', T0), // expired
      await r.sso.takeHandoff('ho-5', 'cc-5', T0), // exchanged before
      await r.sso.takeHandoff('ho-3', 'cc-3', T0 + 1e4), // expires at exactly now
    ]);
    await r.sso.purgeSignIns(T0);
  });
  return out;
}

describe.skipIf(!pgAvailable)('group C identity repositories: SQLite and PostgreSQL agree', () => {
  let env: PgTestEnv;
  let engines: Engines;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });
  beforeEach(async () => {
    engines = await openEngines(env.available ? env.url : '', SEED);
  });
  afterEach(async () => {
    await engines.close();
  });

  it('every method of auth, mfa, passkeys and sso answers the same on both engines', async () => {
    const { onSqlite, onPg } = await bothEngines(engines, T0, script);
    for (const name of Object.keys(onSqlite)) {
      expect({ [name]: onPg[name] }).toEqual({ [name]: onSqlite[name] });
    }
    expect(Object.keys(onPg)).toEqual(Object.keys(onSqlite));
    // What the purge left (no port method lists sign-ins): the same rows on both.
    const sqliteLeft = engines.opened.sqlite
      .prepare('SELECT id FROM oidc_sign_ins ORDER BY id')
      .all()
      .map((row) => (row as { id: number }).id);
    const pgLeft = await engines.pool.query<{ id: number }>(
      'SELECT id FROM oidc_sign_ins ORDER BY id',
    );
    expect(pgLeft.rows.map((row) => row.id)).toEqual(sqliteLeft);
    expect(sqliteLeft).toEqual([1, 3, 4, 7]);
    // The script reached real rows, not a run of undefineds that agree.
    expect((onPg['auth.liveSessionsOf'] as unknown[]).length).toBe(2);
    expect(onPg['mfa.useRecoveryCode']).toEqual([true, false, false, false]);
    expect((onPg['auth.userWithFactors'] as { passkeyCount: number }[])[0]!.passkeyCount).toBe(2);
    expect((onPg['sso.enabledConfigs'] as { accountId: number }[]).map((c) => c.accountId)).toEqual(
      [1, 3],
    );
  });

  describe.each(['serializable', 'read committed'] as const)('raced, %s', (isolation) => {
    /**
     * Two PostgreSQL transactions at once, each reading first (so both start from the same
     * snapshot: without a conditional write both would pass) and then taking `use`: how many won.
     */
    async function race(
      read: (r: C) => Promise<unknown>,
      use: (r: C) => Promise<unknown>,
    ): Promise<unknown[]> {
      const uow = engines.pgUow(T0);
      const gate = barrier();
      let ready = 0;
      const work = async (r: C) => {
        await read(r);
        if (++ready === 2) gate.resolve();
        await gate.promise;
        return use(r);
      };
      // SERIALIZABLE (console writes): the loser aborts, and its retry finds the code used.
      // READ COMMITTED (agentBatch's level): the loser's WHERE is re-checked on the winner's row.
      const one = () =>
        isolation === 'serializable'
          ? uow.write(work)
          : (uow.agentBatch(work as never) as Promise<unknown>);
      return Promise.all([one(), one()]);
    }
    const wins = (results: unknown[]) =>
      results.filter((x) => x !== false && x !== undefined).length;

    it('one recovery code used by two transactions at once: one passes', async () => {
      const results = await race(
        (r) => r.mfa.recoveryCodesLeft(1),
        (r) => r.mfa.useRecoveryCode(1, 'rc-1', T0),
      );
      expect(results.sort()).toEqual([false, true]);
    });

    it('one TOTP time step claimed by two transactions at once: one passes', async () => {
      const results = await race(
        (r) => r.mfa.totpOf(1),
        (r) => r.mfa.claimTotpStep(1, 200, true),
      );
      expect(results.sort()).toEqual([false, true]);
    });

    it('one MFA sign-in challenge consumed by two transactions at once: one passes', async () => {
      const results = await race(
        (r) => r.mfa.challengeByDigest('mc-1'),
        (r) => r.mfa.consumeChallenge(1, T0, 5),
      );
      expect(results.sort()).toEqual([false, true]);
    });

    it('one OIDC state called back by two transactions at once: one takes it', async () => {
      const results = await race(
        (r) => r.sso.config(1),
        (r) => r.sso.takeCallback('st-1', T0),
      );
      expect(wins(results)).toBe(1);
      expect(results.filter((x) => x === undefined)).toHaveLength(1);
    });

    it('one SSO handoff exchanged by two transactions at once: one takes it', async () => {
      const results = await race(
        (r) => r.sso.config(1),
        (r) => r.sso.takeHandoff('ho-3', 'cc-3', T0),
      );
      expect(wins(results)).toBe(1);
    });

    it('one passkey challenge consumed by two transactions at once: one passes', async () => {
      const results = await race(
        (r) => r.passkeys.challengeByDigest('wc-1'),
        (r) => r.passkeys.consumeChallenge(1, T0),
      );
      expect(results.sort()).toEqual([false, true]);
    });

    it('one passkey signature counter raised by two transactions at once: one passes', async () => {
      const results = await race(
        (r) => r.passkeys.byCredentialId('cred-b'),
        (r) => r.passkeys.claimCounter(1, 6, T0),
      );
      expect(results.sort()).toEqual([false, true]);
    });

    it('one credential id registered by two transactions at once: one row, one undefined', async () => {
      const results = await race(
        (r) => r.passkeys.byCredentialId('cred-raced'),
        (r) =>
          r.passkeys.insert({
            userId: 1,
            credentialId: 'cred-raced',
            publicKey: key,
            counter: 0,
            transports: '[]',
            name: 'raced',
            createdAt: T0,
          }),
      );
      expect(wins(results)).toBe(1);
      const { rows } = await engines.pool.query(
        "SELECT id FROM passkeys WHERE credential_id = 'cred-raced'",
      );
      expect(rows).toHaveLength(1);
    });
  });

  it('tokenByDigest and touchToken answer as SQLite does', async () => {
    const now = new SqliteAuthRepo(engines.opened.db);
    const uow = engines.pgUow(T0);
    const onPg = await uow.write(async (r) => {
      const auth = r.auth as PgAuthRepo;
      const before = [await auth.tokenByDigest('tok-2'), await auth.tokenByDigest('none')];
      await auth.touchToken(2, T0, T0 - 200); // stamped after notAfter: kept
      await auth.touchToken(4, T0 + 1, T0); // stamped before: touched
      await auth.touchToken(1, T0 + 2, T0); // never stamped: touched
      return [
        ...before,
        (await auth.byDigest('tok-2'))!.lastUsedAt,
        (await auth.byDigest('tok-4'))!.lastUsedAt,
        (await auth.byDigest('tok-1'))!.lastUsedAt,
      ];
    });
    const before = [await now.tokenByDigest('tok-2'), await now.tokenByDigest('none')];
    await now.touchToken(2, T0, T0 - 200);
    await now.touchToken(4, T0 + 1, T0);
    await now.touchToken(1, T0 + 2, T0);
    const onSqlite = [
      ...before,
      (await now.tokenByDigest('tok-2'))!.token.lastUsedAt,
      (await now.tokenByDigest('tok-4'))!.token.lastUsedAt,
      (await now.tokenByDigest('tok-1'))!.token.lastUsedAt,
    ];
    expect(onPg).toEqual(onSqlite);
    expect(onSqlite.slice(2)).toEqual([T0 - 100, T0 + 1, T0 + 2]);
  });
});
