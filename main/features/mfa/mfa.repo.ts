// Port (issue 14): the second factor's storage (IDN-1..3). Every acceptance of a code is a
// conditional update answering whether it changed a row, so two concurrent uses of one code (or
// one recovery code, or one sign-in challenge) cannot both pass. SQLite: main/db/sqlite/repos/mfa.ts.
import type { MfaChallengeRow, UserTotpRow } from '../../domain/rows';

export type NewChallenge = Pick<
  MfaChallengeRow,
  'userId' | 'tokenDigest' | 'address' | 'createdAt' | 'expiresAt'
>;

export interface MfaRepo {
  totpOf(userId: number): Promise<UserTotpRow | undefined>;
  /** A new unconfirmed secret, replacing an unconfirmed one; false when one is confirmed. */
  putPendingTotp(userId: number, ciphertext: Buffer, now: number): Promise<boolean>;
  /**
   * Accepts the code of time step `step` (RFC 6238) once: raises the stored last step, only if
   * it is below `step` and the factor is in the state given (confirmed or pending).
   */
  claimTotpStep(userId: number, step: number, confirmed: boolean): Promise<boolean>;
  confirmTotp(userId: number, now: number): Promise<boolean>;
  deleteTotp(userId: number): Promise<void>;
  replaceRecoveryCodes(userId: number, digests: string[], now: number): Promise<void>;
  /** Marks the unused code with this digest used; false when there is none. */
  useRecoveryCode(userId: number, digest: string, now: number): Promise<boolean>;
  recoveryCodesLeft(userId: number): Promise<number>;
  insertChallenge(values: NewChallenge): Promise<void>;
  challengeByDigest(digest: string): Promise<MfaChallengeRow | undefined>;
  /** Uses the challenge once, if it is unused, unexpired and not burnt by failures. */
  consumeChallenge(id: number, now: number, maxFailures: number): Promise<boolean>;
  failChallenge(id: number): Promise<void>;
  /** IDN-3: the token's holder proved a second factor now (sign-in, enrolment, step-up). */
  stampSecondFactor(tokenDigest: string, userId: number, now: number): Promise<void>;
  secondFactorAtOf(tokenDigest: string): Promise<number | null>;
  requireMfaOf(accountId: number): Promise<boolean>;
  setRequireMfa(accountId: number, required: boolean): Promise<void>;
}
