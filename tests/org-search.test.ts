// ORG-2: the switcher filters what it shows with the same function the server stores and searches
// by (shared/org-search.ts). These check the two agree: same text, same normalisation.
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchText } from '../main/features/organizations/organizations.mapper';
import { matchesOrgSearch, orgSearchTerm, orgSearchText } from '../shared/org-search';
import { sqlRows } from './fixtures/raw-sql';
import { createWorld, type World } from './fixtures/world';

describe('org search text', () => {
  it('is the name and description, lower-cased without locale, accents folded', () => {
    expect(orgSearchText('Acme GmbH', 'Berlin Office')).toBe('acme gmbh\nberlin office');
    expect(orgSearchText('Acme', null)).toBe('acme\n');
    expect(orgSearchText('Acme', undefined)).toBe('acme\n');
    // en-US, not the user's locale: a Turkish console must not turn I into ı; the dot that
    // lower-casing leaves on İ is a combining mark, folded away like any accent.
    expect(orgSearchText('İzmir IT', null)).toBe('izmir it\n');
    expect(orgSearchTerm('  ÜBER Σ  ')).toBe('uber σ');
  });

  it('folds diacritics (ORG-2): "creme" finds "Crème", "CRÈME" too, composed or not', () => {
    expect(orgSearchText('Crème Brûlée', 'Łódź, Ærø, Đakovo')).toBe(
      'creme brulee\nlodz, æro, dakovo',
    );
    expect(orgSearchTerm('CRÈME')).toBe('creme');
    // The same letter typed decomposed (e + U+0300) folds to the same text.
    expect(orgSearchTerm('Cre\u0300me')).toBe('creme');
    for (const q of ['creme', 'CRÈME', 'crème', 'Cre\u0300me', 'brulee', 'lodz']) {
      expect(matchesOrgSearch({ name: 'Crème Brûlée', description: 'Łódź' }, q), q).toBe(true);
    }
    // Letters, not accents, stay apart: ß is not ss, æ is not ae, a Korean syllable keeps its
    // jamo composed, and a Japanese voiced kana keeps its voicing mark.
    expect(matchesOrgSearch({ name: 'Straße', description: null }, 'strasse')).toBe(false);
    expect(matchesOrgSearch({ name: 'Ærø', description: null }, 'aero')).toBe(false);
    expect(orgSearchText('한국', 'がっこう')).toBe('한국\nがっこう');
    expect(matchesOrgSearch({ name: '한국', description: null }, '하')).toBe(false);
    expect(matchesOrgSearch({ name: 'がっこう', description: null }, 'か')).toBe(false);
  });

  it('is what the server stores (the mapper uses the shared function)', () => {
    expect(searchText).toBe(orgSearchText);
  });

  it('matches a term anywhere in name or description, ignoring case and surrounding spaces', () => {
    const org = { name: 'Harbour North', description: 'Dock Ω 7' };
    for (const q of ['harbour', ' NORTH ', 'dock ω', 'Ω 7', 'r n']) {
      expect(matchesOrgSearch(org, q), q).toBe(true);
    }
    for (const q of ['south', 'dock 7', 'ſ', 'dock o']) {
      expect(matchesOrgSearch(org, q), q).toBe(false);
    }
    expect(matchesOrgSearch({ name: 'Acme', description: null }, 'acme')).toBe(true);
  });
});

describe("the switcher's filter agrees with the server's search", () => {
  let w: World;
  beforeEach(async () => {
    w = await createWorld();
  });
  afterEach(() => w.close());

  it('returns the same orgs for every term, and stores the same text', async () => {
    const api = w.caller(w.admin);
    const orgs = [
      { name: 'Harbour North', description: 'Dock 7' },
      { name: 'HARBOUR SOUTH', description: null },
      { name: 'Straße Süd', description: 'ÄÖÜ office' },
      { name: 'İzmir IT', description: 'Σίσυφος' },
      { name: 'Maße', description: 'long ſ' },
      { name: '100% done', description: 'a_b' },
      { name: 'Crème Fraîche SA', description: 'Łódź' },
      { name: 'Creme Direct', description: null },
      { name: 'Cr%me', description: 'crê_pe' },
    ];
    for (const o of orgs) await api.organizations.create(o);
    const stored = await sqlRows<{ name: string; description: string | null; text: string }>(
      w.db,
      sql`SELECT name, description, search_text AS text FROM organizations`,
    );
    expect(stored).toHaveLength(orgs.length);
    for (const row of stored) expect(row.text).toBe(orgSearchText(row.name, row.description));

    const terms = ['harbour', 'HARBOUR', ' north ', 'ss', 'straße', 'STRASSE', 'süd', 'SÜD'];
    terms.push('äöü', 'i̇zmir', 'izmir', 'σίσυφος', 'ΣΊΣΥΦΟΣ', 'ſ', 's', '%', '_', 'a_b', 'ck 7');
    terms.push('creme', 'CRÈME', 'Cre\u0300me', 'fraiche', 'lodz', 'cr', 'cr%', 'cre_p', 'aou');
    for (const term of terms) {
      const server = (await api.organizations.list({ search: term, limit: 100 })).items;
      const switcher = server.filter((o) => matchesOrgSearch(o, term));
      // Nothing the server returns is hidden by the switcher …
      expect(
        switcher.map((o) => o.name),
        term,
      ).toEqual(server.map((o) => o.name));
      // … and the switcher would show nothing the server leaves out.
      const all = orgs.filter((o) => matchesOrgSearch(o, term)).map((o) => o.name);
      expect(server.map((o) => o.name).sort(), term).toEqual(all.sort());
    }
  });

  it('"creme" and "CRÈME" find "Crème" on the server; LIKE wildcards stay literal', async () => {
    const api = w.caller(w.admin);
    for (const name of ['Crème Fraîche SA', 'Creme Direct', 'Cr%me', 'Crane_s', 'Other']) {
      await api.organizations.create({ name });
    }
    const found = async (search: string) =>
      (await api.organizations.list({ search })).items.map((o) => o.name);
    // Three characters and more go through the trigram index, shorter terms through instr().
    for (const term of ['creme', 'CRÈME', 'crè', 'CRE']) {
      expect(await found(term), term).toEqual(['Creme Direct', 'Crème Fraîche SA']);
    }
    expect(await found('fraiche')).toEqual(['Crème Fraîche SA']);
    expect(await found('cr%')).toEqual(['Cr%me']);
    expect(await found('%')).toEqual(['Cr%me']);
    expect(await found('e_s')).toEqual(['Crane_s']);
    expect(await found('_')).toEqual(['Crane_s']);
  });
});
