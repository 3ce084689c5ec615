import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMEZONE_ALIASES, TIMEZONES } from '../shared/timezones';
import { canonicalTimezone, searchTimezones } from '../shared/timezone';
import { createWorld, type Caller, type World } from './fixtures/world';

describe('LOC-1 one table of current IANA zone names and their aliases', () => {
  it('maps the old names to the current ones and keeps current names as they are', () => {
    expect(canonicalTimezone('Europe/Kiev')).toBe('Europe/Kyiv');
    expect(canonicalTimezone('Europe/Kyiv')).toBe('Europe/Kyiv');
    expect(canonicalTimezone('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(canonicalTimezone('Asia/Saigon')).toBe('Asia/Ho_Chi_Minh');
    expect(canonicalTimezone('US/Eastern')).toBe('America/New_York');
    expect(canonicalTimezone('Etc/UTC')).toBe('UTC');
    expect(canonicalTimezone('UTC')).toBe('UTC');
    // IANA names are case-insensitive; the answer is the spelling of the table.
    expect(canonicalTimezone('europe/kiev')).toBe('Europe/Kyiv');
    expect(canonicalTimezone('Mars/Olympus')).toBeNull();
    expect(canonicalTimezone('')).toBeNull();
  });

  it('every current name is known to this runtime, and no alias is also a current name', () => {
    for (const zone of TIMEZONES) {
      expect(() => new Intl.DateTimeFormat('en-US', { timeZone: zone }), zone).not.toThrow();
    }
    for (const [alias, target] of Object.entries(TIMEZONE_ALIASES)) {
      expect(TIMEZONES, alias).not.toContain(alias);
      expect(TIMEZONES, alias).toContain(target);
    }
    // The zones Intl lists are all offered, under their current name.
    for (const z of Intl.supportedValuesOf('timeZone')) {
      expect(canonicalTimezone(z), z).not.toBeNull();
    }
  });

  it('the picker search finds a zone by an old name or a part of one', () => {
    expect(searchTimezones('Europe/Kiev').map((m) => m.zone)).toContain('Europe/Kyiv');
    expect(searchTimezones('Calcutta')[0]).toEqual({
      zone: 'Asia/Kolkata',
      alias: 'Asia/Calcutta',
    });
    expect(searchTimezones('new york')[0]).toEqual({ zone: 'America/New_York', alias: null });
    expect(searchTimezones('').length).toBe(TIMEZONES.length);
  });
});

describe('LOC-1 locations store and answer the current name', () => {
  let w: World;
  let api: Caller;
  let orgId: number;
  beforeEach(async () => {
    w = await createWorld();
    api = w.caller(w.admin);
    orgId = (await api.organizations.create({ name: 'Acme' })).id;
  });
  afterEach(() => w.close());

  it('an alias given on create or update is stored and answered as the current name', async () => {
    const kyiv = await api.locations.create({
      organization_id: orgId,
      name: 'Kyiv office',
      timezone: 'Europe/Kiev',
    });
    expect(kyiv.timezone).toBe('Europe/Kyiv');
    const again = await api.locations.create({
      organization_id: orgId,
      name: 'Kyiv DC',
      timezone: 'Europe/Kyiv',
    });
    expect(again.timezone).toBe('Europe/Kyiv');
    const moved = await api.locations.update({
      id: kyiv.id,
      patch: { timezone: 'Asia/Calcutta' },
    });
    expect(moved.timezone).toBe('Asia/Kolkata');
    const listed = await api.locations.list({ organization_id: orgId });
    expect(listed.map((l) => l.timezone).sort()).toEqual(['Asia/Kolkata', 'Europe/Kyiv', 'UTC']);
  });
});
