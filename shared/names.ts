// Names people give orgs, locations and users. Zod-free and browser-safe: the schemas in
// shared/schemas/common.schema.ts build their validator from these rules, and the console, which
// imports no zod, can check a name the same way and shows the same message.
//
// A name is stored in one spelling (NFC), so the same text never looks different to a search or
// a sort. It may not hold characters that change how the text around them reads without being
// seen: control characters, bidirectional controls (a right-to-left override turns "evil.exe"
// around), invisible format characters (a zero-width space makes "Acme" and "Ac\u200Bme" look
// like one name), line separators, and lone surrogates (broken text). Two exceptions, the
// zero-width joiner and non-joiner, are part of correct spelling in Persian, the Indic scripts
// and emoji sequences: they pass between two non-ASCII characters, never between ASCII ones,
// where they have no use. Uniqueness ignores every default-ignorable character
// (main/core/names.ts `nameKey`), including those accepted here (variation selectors, the
// combining grapheme joiner, Hangul fillers).

const ZWNJ = 0x200c;
const ZWJ = 0x200d;

/** The invisible characters that set text direction: embeddings, overrides, isolates, marks. */
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** What a name may not hold (the joiners are decided by their neighbours, below). */
const REFUSED = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/** The stored form: NFC, without surrounding white space. */
export const normalizeName = (raw: string): string => raw.normalize('NFC').trim();

/** The text without its default-ignorable characters (they render as nothing). */
export const foldIgnorables = (text: string): string => text.replace(DEFAULT_IGNORABLE, '');

/** "U+202E": how a message names a character. */
export const codePointLabel = (cp: number): string =>
  `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

function kindOf(ch: string): string {
  if (/\p{Cc}/u.test(ch)) return 'a control character';
  if (/\p{Cs}/u.test(ch)) return 'half of a broken character (a lone surrogate)';
  if (ch === '\u2028' || ch === '\u2029') return 'a line or paragraph separator';
  if (BIDI_CONTROL.test(ch)) return 'an invisible control of text direction';
  const cp = ch.codePointAt(0)!;
  if (cp === ZWNJ || cp === ZWJ) {
    return 'an invisible joiner, allowed only inside words of scripts that need it and in emoji';
  }
  return 'an invisible format character';
}

const isAscii = (ch: string | undefined) => ch !== undefined && ch.charCodeAt(0) < 0x80;

/** The first character `name` may not hold, with what it is; null when there is none. */
export function refusedNameCharacter(name: string): { codePoint: number; kind: string } | null {
  const chars = [...name];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (!REFUSED.test(ch)) continue;
    const cp = ch.codePointAt(0)!;
    if (cp === ZWNJ || cp === ZWJ) {
      const before = chars[i - 1];
      const after = chars[i + 1];
      const joins = before !== undefined && after !== undefined;
      if (joins && !isAscii(before) && !isAscii(after)) continue;
    }
    return { codePoint: cp, kind: kindOf(ch) };
  }
  return null;
}

/**
 * What is wrong with a name already normalised (normalizeName), as the message the field shows;
 * null when nothing is. Length limits are the schema's.
 */
export function nameProblem(field: string, name: string): string | null {
  const bad = refusedNameCharacter(name);
  if (bad)
    return `${field} cannot contain ${codePointLabel(bad.codePoint)} (${bad.kind}); remove it`;
  if (foldIgnorables(name).trim() === '') return `${field} is required and cannot be blank`;
  return null;
}
