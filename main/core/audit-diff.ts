// The `changes` of an audited update: each field whose value really changed, with both values.
// Values are compared by structure, never by identity: an array or object field is a new object
// every time a row is read and mapped, so `!==` would record it as changed on every save, and the
// audit trail would claim edits nobody made.

export type Changes = Record<string, { from: unknown; to: unknown }>;

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * Whether two values are the same for the audit trail. Primitives compare by value (NaN equals
 * NaN; 0 and -0 are one number, as JSON stores them), Dates by instant, arrays element by element
 * in order, plain objects key by key. null and undefined stay different (null is a value that was
 * cleared, undefined one that is absent), but an object key holding undefined is the same as a
 * missing key: the stored JSON could not tell them apart. Other objects are compared by identity.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && sameValue(a.getTime(), b.getTime());
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => sameValue(v, b[i]))
    );
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) if (!sameValue(x[k], y[k])) return false;
  return true;
}

/**
 * The fields of `before` and `after` that differ (all of their keys unless `fields` names some),
 * in the order given, as an audit entry records them.
 */
export function changesOf<T extends object>(
  before: T,
  after: T,
  fields: Iterable<keyof T & string> = new Set([
    ...(Object.keys(before) as (keyof T & string)[]),
    ...(Object.keys(after) as (keyof T & string)[]),
  ]),
): Changes {
  const changes: Changes = {};
  for (const f of fields) {
    if (!sameValue(before[f], after[f])) changes[f] = { from: before[f], to: after[f] };
  }
  return changes;
}
