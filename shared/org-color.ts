// UI-15: a colour per org, derived from its id, so it needs no column, no migration and no
// choice, and is the same in every window, tab and export review of the same database. It is a
// second cue beside the org's name (never the only one): a badge with the org's initials in
// the title bar and in every destructive confirmation, so "which tenant am I about to change?"
// is answered at a glance. With 12 colours and thousands of orgs, two orgs can share one; the
// name beside it decides.
//
// Each colour has two shades: `strong` (white text on it, for light surfaces) and `soft` (dark
// text, for the always-dark title bar and for dark surfaces). renderer/components/org-badge.css
// holds the same values (tests/org-color.test.ts checks both and their contrast).

export interface OrgColor {
  name: string;
  /** Background under white text: at least 4.5:1 with the text and 3:1 with a white surface. */
  strong: string;
  /** Background under near-black text (#10131a), on dark surfaces. */
  soft: string;
}

export const ORG_COLORS: readonly OrgColor[] = [
  { name: 'red', strong: '#d32d2d', soft: '#ec9292' },
  { name: 'orange', strong: '#a35e23', soft: '#e29b5c' },
  { name: 'amber', strong: '#876c1d', soft: '#cfa525' },
  { name: 'olive', strong: '#677619', soft: '#9cb520' },
  { name: 'green', strong: '#1b8024', soft: '#23c530' },
  { name: 'teal', strong: '#1a7d6c', soft: '#22bfa5' },
  { name: 'cyan', strong: '#1e798c', soft: '#26bad7' },
  { name: 'azure', strong: '#2574ad', soft: '#6ab2e5' },
  { name: 'blue', strong: '#356ad4', soft: '#8babea' },
  { name: 'indigo', strong: '#685ddd', soft: '#a8a2ef' },
  { name: 'violet', strong: '#9a44d7', soft: '#c997ed' },
  { name: 'magenta', strong: '#c229a9', soft: '#ea89da' },
];

/** The text on a `soft` shade. */
export const ORG_COLOR_DARK_TEXT = '#10131a';

/**
 * The colour of org `id`: ids step 5 colours apart (5 and 12 share no factor, so every colour is
 * used), which keeps orgs created one after the other, often shown together, visibly apart.
 */
export function orgColorIndex(id: number): number {
  return (((Math.trunc(id) * 5) % ORG_COLORS.length) + ORG_COLORS.length) % ORG_COLORS.length;
}

/** One or two letters for the badge: the first letters of the first two words ("Acme Corp" → AC). */
export function orgInitials(name: string): string {
  const words = name
    .trim()
    .split(/[\s\-_./]+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letter = (w: string) => [...w].find((c) => /[\p{L}\p{N}]/u.test(c)) ?? '';
  const first = words[0] ? letter(words[0]) : '';
  const second = words[1] ? letter(words[1]) : '';
  return (first + second).toLocaleUpperCase() || '?';
}
