// Port (issue 14): passkeys and their WebAuthn challenges (IDN-2). A challenge is used and a
// signature counter raised by conditional updates answering whether they changed a row, so a
// replayed assertion, or two concurrent uses of one, pass once. SQLite:
// main/db/sqlite/repos/passkeys.ts.
import type { PasskeyRow, WebauthnChallengeRow } from '../../domain/rows';

export type NewPasskey = Pick<
  PasskeyRow,
  'userId' | 'credentialId' | 'publicKey' | 'counter' | 'transports' | 'name' | 'createdAt'
>;
export type NewWebauthnChallenge = Pick<
  WebauthnChallengeRow,
  'userId' | 'purpose' | 'challengeDigest' | 'mfaChallengeId' | 'createdAt' | 'expiresAt'
>;

export interface PasskeysRepo {
  passkeysOf(userId: number): Promise<PasskeyRow[]>;
  countOf(userId: number): Promise<number>;
  byCredentialId(credentialId: string): Promise<PasskeyRow | undefined>;
  /** False when the credential id is registered already (to anyone). */
  insert(values: NewPasskey): Promise<PasskeyRow | undefined>;
  rename(id: number, userId: number, name: string): Promise<PasskeyRow | undefined>;
  remove(id: number, userId: number): Promise<PasskeyRow | undefined>;
  /**
   * Raises the signature counter to `counter` and stamps the use, only if the stored counter is
   * below it (or both are 0: an authenticator without a counter); false otherwise (a replay or
   * a cloned authenticator).
   */
  claimCounter(id: number, counter: number, now: number): Promise<boolean>;
  insertChallenge(values: NewWebauthnChallenge): Promise<void>;
  challengeByDigest(digest: string): Promise<WebauthnChallengeRow | undefined>;
  /** Uses the challenge once, if it is unused and unexpired. */
  consumeChallenge(id: number, now: number): Promise<boolean>;
}
