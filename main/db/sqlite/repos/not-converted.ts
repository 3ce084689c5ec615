/**
 * A repository of a feature not converted yet (issue 14): the methods given are implemented, any
 * other throws, naming the feature, so a half-converted caller fails loudly in its first test
 * instead of reaching storage some other way.
 */
export function notConverted<T extends object>(feature: string, implemented: Partial<T> = {}): T {
  return new Proxy(implemented as T, {
    get(target, key, receiver) {
      if (key in target) return Reflect.get(target, key, receiver) as unknown;
      if (typeof key === 'symbol' || key === 'then') return undefined;
      return () => {
        throw new Error(
          `${feature}: repository method ${key} is not implemented on SQLite yet; convert the ` +
            `feature (docs/architecture.md, "Converting a feature") in main/db/sqlite/repos/`,
        );
      };
    },
  });
}
