// IP and CIDR parsing plus longest-prefix matching. Shared by main and renderer, so it must stay
// free of Node built-ins (no Buffer, no node:net).

export type IpFamily = 4 | 6;

export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  network: bigint;
  prefix: number;
  /** Canonical form, e.g. "10.1.0.0/16" or "2001:db8::/32". */
  text: string;
}

export type CidrParseResult =
  { ok: true; cidr: Cidr } | { ok: false; error: string; suggestion?: string };

export interface PrefixEntry<T> {
  cidr: Cidr;
  value: T;
}

export interface PrefixMatch<T> {
  value: T;
  cidr: Cidr;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
const MAX_V4 = 0xffffffffn;
const MAX_V6 = (1n << 128n) - 1n;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX_DIGITS = /^(0|[1-9][0-9]*)$/;

/**
 * Strict dotted quad straight to a uint32. A hand-rolled char loop because this sits on the
 * matcher's hot path, where split/regex/bigint would dominate the cost of a lookup.
 */
export function ipv4ToNumber(text: string): number | null {
  const len = text.length;
  if (len < 7 || len > 15) return null;
  let result = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      // Multiplication rather than << so the result never goes negative past bit 31.
      result = result * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // "01" or "00": leading zeros are ambiguous (some tools read them as octal), so reject.
      if (digits > 0 && octet === 0) return null;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return null;
      digits++;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return result * 256 + octet;
}

function parseGroups(parts: string[], allowV4Tail: boolean): number[] | null {
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (allowV4Tail && i === parts.length - 1 && part.includes('.')) {
      const v4 = ipv4ToNumber(part);
      if (v4 === null) return null;
      groups.push(Math.floor(v4 / 0x10000), v4 & 0xffff);
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | null {
  // 45 = six full groups plus a full IPv4 tail; anything longer cannot be valid.
  if (text.length < 2 || text.length > 45) return null;
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return null;
  const headText = gap === -1 ? text : text.slice(0, gap);
  const tailText = gap === -1 ? '' : text.slice(gap + 2);
  // An IPv4 tail is only legal as the very last piece of the address.
  const head = headText === '' ? [] : parseGroups(headText.split(':'), gap === -1);
  const tail = tailText === '' ? [] : parseGroups(tailText.split(':'), true);
  if (head === null || tail === null) return null;
  const explicit = head.length + tail.length;
  // "::" stands for at least one zero group, so with it there must be room left over.
  if (gap === -1 ? explicit !== 8 : explicit > 7) return null;
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...tail];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** ::ffff:0:0/96 (RFC 4291 2.5.5.2): the IPv4-mapped addresses, e.g. `::ffff:10.0.0.1`. */
const V4_MAPPED_PREFIX = 0xffffn;
const isV4Mapped = (v6: bigint): boolean => v6 >> 32n === V4_MAPPED_PREFIX;

/**
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, how a dual-stack socket shows an IPv4 peer) is
 * read as the IPv4 address it carries: it is an IPv4 host, and LOC-3 matches it against IPv4
 * subnets. Other IPv6 forms holding an IPv4 address (`::10.0.0.1`, NAT64 `64:ff9b::/96`) stay IPv6.
 */
export function parseIp(text: string): ParsedIp | null {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    if (value === null) return null;
    return isV4Mapped(value) ? { family: 4, value: value & MAX_V4 } : { family: 6, value };
  }
  const v4 = ipv4ToNumber(text);
  return v4 === null ? null : { family: 4, value: BigInt(v4) };
}

/**
 * A host IP as a key that sorts by address as text compares (UI-11 sort by IP): IPv4 before IPv6,
 * each by its numeric value ("4" + 8 hex digits, "6" + 32), so 10.0.0.9 comes before 10.0.0.10.
 * Text that is not an address sorts after every address, as itself.
 */
export function ipSortKey(text: string): string {
  const ip = parseIp(text);
  if (!ip) return `~${text}`;
  return `${ip.family}${ip.value.toString(16).padStart(ip.family === 4 ? 8 : 32, '0')}`;
}

export function formatIp(family: IpFamily, value: bigint): string {
  if (value < 0n || value > (family === 4 ? MAX_V4 : MAX_V6)) {
    throw new RangeError(`${value} is not an IPv${family} address value`);
  }
  if (family === 4) {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // RFC 5952 4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n;
}

/**
 * A subnet in canonical form. An IPv4-mapped network of /96 or longer (`::ffff:10.0.0.0/104`) is
 * the IPv4 network it names (`10.0.0.0/8`), as parseIp reads its addresses; a shorter one covers
 * more than the mapped range and stays an IPv6 network.
 */
export function parseCidr(text: string): CidrParseResult {
  if (text === '') {
    return { ok: false, error: 'subnet is empty: write it as e.g. 10.1.0.0/24 or 2001:db8::/48' };
  }
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const ip = parseIp(addrText);
  if (ip === null) {
    return { ok: false, error: `"${text}" is not a valid IPv4 or IPv6 address` };
  }
  const bits = BITS[ip.family];
  const addr = formatIp(ip.family, ip.value);
  if (slash === -1) {
    const example = ip.family === 4 ? 24 : 64;
    return {
      ok: false,
      error: `"${text}" is missing a prefix length: write it as ${addr}/${bits} or e.g. ${addr}/${example}`,
    };
  }
  // Written as IPv6, so its prefix length counts 128 bits even when the address is IPv4-mapped.
  const written: IpFamily = addrText.includes(':') ? 6 : 4;
  const writtenBits = BITS[written];
  const prefixText = text.slice(slash + 1);
  if (!PREFIX_DIGITS.test(prefixText)) {
    return {
      ok: false,
      error: `"${text}" has an invalid prefix length "${prefixText}": write a whole number from 0 to ${writtenBits} after the /`,
    };
  }
  const writtenPrefix = Number(prefixText);
  if (writtenPrefix > writtenBits) {
    return {
      ok: false,
      error: `prefix length ${prefixText} is out of range for IPv${written} (0-${writtenBits})`,
    };
  }
  const mappedPrefix = written === 6 && ip.family === 4 ? writtenPrefix - 96 : writtenPrefix;
  const [family, value, prefix] =
    written === 6 && ip.family === 4 && mappedPrefix < 0
      ? // Wider than ::ffff:0:0/96: an IPv6 network after all.
        ([6, (V4_MAPPED_PREFIX << 32n) | ip.value, writtenPrefix] as const)
      : ([ip.family, ip.value, mappedPrefix] as const);
  const network = value & ~hostMask(family, prefix);
  const canonical = `${formatIp(family, network)}/${prefix}`;
  if (network !== value) {
    return {
      ok: false,
      error: `${text} has host bits set: did you mean ${canonical}?`,
      suggestion: canonical,
    };
  }
  return { ok: true, cidr: { family, network, prefix, text: canonical } };
}

export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.family !== ip.family) return false;
  return (ip.value ^ cidr.network) >> BigInt(BITS[cidr.family] - cidr.prefix) === 0n;
}

/** Naive O(n) reference: the benchmark baseline and the test oracle for PrefixMatcher. */
export function linearScanMatch<T>(
  entries: ReadonlyArray<PrefixEntry<T>>,
  ip: string | ParsedIp,
): PrefixMatch<T> | null {
  const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
  if (parsed === null) return null;
  let best: PrefixEntry<T> | null = null;
  for (const entry of entries) {
    // >= so a duplicate network resolves to the later entry, as PrefixMatcher does.
    if (
      cidrContains(entry.cidr, parsed) &&
      (best === null || entry.cidr.prefix >= best.cidr.prefix)
    ) {
      best = entry;
    }
  }
  return best === null ? null : { value: best.value, cidr: best.cidr };
}

interface V4Level<T> {
  mask: number;
  table: Map<number, PrefixMatch<T>>;
}

interface V6Level<T> {
  shift: bigint;
  table: Map<bigint, PrefixMatch<T>>;
}

/**
 * Longest-prefix match via one hash table per distinct prefix length, probed longest first.
 * At most 33 (IPv4) or 129 (IPv6) probes regardless of subnet count, and in practice an org
 * uses only a handful of lengths. The returned match objects are shared between calls: treat
 * them as read-only.
 *
 * IPv4 keys are signed int32 (`ip & mask`, no `>>> 0`): V8 stores those as small integers,
 * whereas uint32 values above 2^31 become heap numbers allocated on every probe (~40% slower).
 *
 * IPv6 keys are the network number (`ip >> hostBits`), not the masked address: V8 hashes a
 * bigint by its lowest 64 bits only, so masked /64-or-shorter networks (all of /48, /56, /64)
 * would share one hash bucket and every probe would degrade into a linear scan.
 */
export class PrefixMatcher<T> {
  private readonly v4: V4Level<T>[];
  private readonly v6: V6Level<T>[];

  constructor(entries: ReadonlyArray<PrefixEntry<T>>) {
    const v4 = new Map<number, Map<number, PrefixMatch<T>>>();
    const v6 = new Map<number, Map<bigint, PrefixMatch<T>>>();
    for (const { cidr, value } of entries) {
      const match: PrefixMatch<T> = { value, cidr };
      if (cidr.family === 4) {
        const table = v4.get(cidr.prefix) ?? new Map<number, PrefixMatch<T>>();
        table.set(Number(cidr.network) | 0, match);
        v4.set(cidr.prefix, table);
      } else {
        const table = v6.get(cidr.prefix) ?? new Map<bigint, PrefixMatch<T>>();
        table.set(cidr.network >> BigInt(128 - cidr.prefix), match);
        v6.set(cidr.prefix, table);
      }
    }
    const byLengthDesc = (levels: Map<number, unknown>) => [...levels.keys()].sort((a, b) => b - a);
    this.v4 = byLengthDesc(v4).map((prefix) => ({
      // `<< 32` is a no-op in JS, so /0 needs its own mask.
      mask: prefix === 0 ? 0 : 0xffffffff << (32 - prefix),
      table: v4.get(prefix) ?? new Map(),
    }));
    this.v6 = byLengthDesc(v6).map((prefix) => ({
      shift: BigInt(128 - prefix),
      table: v6.get(prefix) ?? new Map(),
    }));
  }

  /** Accepts any IP text; returns null for invalid text or when no subnet contains it. */
  match(ip: string): PrefixMatch<T> | null {
    const v4 = ipv4ToNumber(ip);
    if (v4 !== null) return this.matchV4(v4);
    const parsed = parseIp(ip);
    // IPv6 text may still be an IPv4 address (IPv4-mapped): matchParsed goes by its family.
    return parsed === null ? null : this.matchParsed(parsed);
  }

  matchParsed(ip: ParsedIp): PrefixMatch<T> | null {
    return ip.family === 4 ? this.matchV4(Number(ip.value)) : this.matchV6(ip.value);
  }

  private matchV4(ip: number): PrefixMatch<T> | null {
    for (const level of this.v4) {
      const hit = level.table.get(ip & level.mask);
      if (hit !== undefined) return hit;
    }
    return null;
  }

  private matchV6(ip: bigint): PrefixMatch<T> | null {
    for (const level of this.v6) {
      const hit = level.table.get(ip >> level.shift);
      if (hit !== undefined) return hit;
    }
    return null;
  }
}
