// The router's procedures as data: enumerated from its definition, so the REST projection, the
// OpenAPI document and the isolation matrix cover a new procedure without anyone listing it.
import type { Context } from './trpc';
import type { Meta } from './meta';
import { appRouter } from './router';

export interface ProcedureLike {
  (opts: {
    path: string;
    getRawInput: () => Promise<unknown>;
    ctx: Context;
    type: 'query' | 'mutation';
    signal: AbortSignal | undefined;
    batchIndex: number;
  }): Promise<unknown>;
  _def: { type: 'query' | 'mutation' | 'subscription'; meta?: Meta; inputs: unknown[] };
}

export type AnyRouter = { _def: { procedures: Record<string, unknown>; lazy?: object } };

/** Every procedure of a router, by path, straight from its definition. */
export function procedureEntries(router: AnyRouter = appRouter): [string, ProcedureLike][] {
  if (router._def.lazy && Object.keys(router._def.lazy).length > 0) {
    throw new Error('lazy routers are not enumerable here; load them first');
  }
  return Object.entries(router._def.procedures) as [string, ProcedureLike][];
}

/** The mutations a support engineer may call: those whose metadata says so. */
export function supportEngineerMutations(router: AnyRouter = appRouter): Set<string> {
  return new Set(
    procedureEntries(router)
      .filter(([, p]) => p._def.type === 'mutation' && p._def.meta?.supportEngineer === true)
      .map(([path]) => path),
  );
}
