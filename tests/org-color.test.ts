// UI-15: the org colour is derived from the id (no column, no migration), the same every time,
// neighbours apart, and readable: every badge's text and every badge against the surfaces it
// sits on meet WCAG contrast in the light and the dark theme.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ORG_COLOR_DARK_TEXT, ORG_COLORS, orgColorIndex, orgInitials } from '../shared/org-color';

const luminance = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const f = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
};
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

// The surfaces a badge sits on (renderer/styles.css): light theme surface and surface-2 (where
// confirmations put it), and the title bar and dark surfaces.
const LIGHT_SURFACES = ['#ffffff', '#f6f7f9'];
const DARK_SURFACES = ['#1b2130', '#0a0c10', '#161a21', '#1b2028'];

describe('org colours (UI-15)', () => {
  it('are derived from the id: deterministic, every colour used, neighbours apart', () => {
    expect(orgColorIndex(7)).toBe(orgColorIndex(7));
    const first = Array.from({ length: ORG_COLORS.length }, (_, i) => orgColorIndex(i + 1));
    expect(new Set(first).size).toBe(ORG_COLORS.length);
    for (let id = 1; id < 200; id++) expect(orgColorIndex(id)).not.toBe(orgColorIndex(id + 1));
  });

  it.each(ORG_COLORS.map((c) => [c.name, c]))('%s is readable on every surface', (_n, c) => {
    // Text (the initials): at least 4.5:1.
    expect(contrast(c.strong, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(c.soft, ORG_COLOR_DARK_TEXT)).toBeGreaterThanOrEqual(4.5);
    // The badge as a shape against what is around it: at least 3:1 (WCAG 1.4.11).
    for (const s of LIGHT_SURFACES) expect(contrast(c.strong, s)).toBeGreaterThanOrEqual(3);
    for (const s of DARK_SURFACES) expect(contrast(c.soft, s)).toBeGreaterThanOrEqual(3);
  });

  it('has the same values in the stylesheet the console uses', () => {
    const css = readFileSync('renderer/components/org-badge.css', 'utf8');
    ORG_COLORS.forEach((c, i) => {
      expect(css).toContain(
        `.org-color-${i} {\n  --org-strong: ${c.strong};\n  --org-soft: ${c.soft};\n}`,
      );
    });
    expect(css).not.toContain(`.org-color-${ORG_COLORS.length} `);
  });

  it('puts the initials of the first two words on the badge', () => {
    expect(orgInitials('Acme Corp')).toBe('AC');
    expect(orgInitials('Globex')).toBe('G');
    expect(orgInitials('  umbrella-health clinics')).toBe('UH');
    expect(orgInitials('Ärzte Östlich')).toBe('ÄÖ');
    expect(orgInitials('(')).toBe('?');
  });
});
