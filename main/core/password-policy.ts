// IDN-5: which passwords Orgdesk refuses, beyond the length the input schemas check. The list is
// zxcvbn-ts's common-passwords dictionary (about 49,000 passwords ranked from leaked sets),
// shipped inside the app as an npm dependency: nothing is looked up over the network.
import { dictionary } from '@zxcvbn-ts/language-common';
import { MIN_PASSWORD_LENGTH } from '../../shared/constants';
import { badRequest } from './errors';

let common: ReadonlySet<string> | null = null;
/** Built on first use (the package decompresses its list then), lower-cased. */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

/** How many passwords the shipped list holds (for the console's wording and the tests). */
export const commonPasswordCount = (): number => commonPasswords().size;

/**
 * Digits and symbols stuck on the end are the usual way to make a listed password "long enough"
 * (Password1234!, iloveyou2024): what is left must not be on the list either. Four letters or
 * more, so that a passphrase ending in a number is not refused for its last word.
 */
const TRAILING_NOISE = /[\d\W_]+$/u;
const MIN_STEM = 4;

export const TOO_COMMON_MESSAGE =
  'password is too common: it (or it without the digits and symbols at its end) is on the list of leaked and common passwords attackers try first; choose another, e.g. four unrelated words';

/**
 * Why this password may not be set, or null when it may. The length rule is the schemas'
 * (shared/schemas/users.schema.ts) and is repeated here for callers without a schema.
 */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  const folded = password.toLowerCase();
  const list = commonPasswords();
  if (list.has(folded)) return TOO_COMMON_MESSAGE;
  const stem = folded.replace(TRAILING_NOISE, '');
  if (stem !== folded && stem.length >= MIN_STEM && list.has(stem)) return TOO_COMMON_MESSAGE;
  return null;
}

/** Throws the refusal (400, field `password`) for a password that may not be set. */
export function requireAcceptablePassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw badRequest(problem, 'password');
}
