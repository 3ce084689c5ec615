// REST projected from the router (API-1): every procedure that declares a REST form in its
// metadata becomes a route. The input is assembled from the path, the query (decoded by the
// procedure's own zod schema) and the body; the procedure itself is then called, so the same
// middleware chain runs (authentication, the support-engineer rule, access) and the same errors
// come out. Nothing here knows a feature.
import type { z } from 'zod';
import type { Context } from '../../trpc/trpc';
import type { RestForm, RestMethod } from '../../trpc/meta';
import { badRequest } from '../../core/errors';
import { procedureEntries, type AnyRouter } from '../../trpc/procedures';

export const API_PREFIX = '/api/v1';

export interface ProjectedRoute {
  method: RestMethod;
  /** The full path, e.g. `/api/v1/organizations/:id`. */
  path: string;
  /** The procedure it projects, e.g. `organizations.update`. */
  procedure: string;
  type: 'query' | 'mutation';
  rest: RestForm;
  /** The procedure's input schema; undefined when it takes none. */
  input: z.ZodType | undefined;
  output: z.ZodType;
  supportEngineer: boolean;
  /** Path parameter names in order, e.g. `['organization_id']`. */
  params: string[];
  call(ctx: Context, input: unknown): Promise<unknown>;
}

/** The route table of a router: one route per procedure with a REST form. */
export function projectRoutes(router?: AnyRouter): ProjectedRoute[] {
  const routes: ProjectedRoute[] = [];
  for (const [procedure, proc] of procedureEntries(router)) {
    const meta = proc._def.meta;
    const rest = meta?.rest;
    if (!rest) continue;
    const type = proc._def.type;
    if (type === 'subscription') throw new Error(`${procedure}: subscriptions have no REST form`);
    const input = proc._def.inputs[0] as z.ZodType | undefined;
    if (proc._def.inputs.length > 1) throw new Error(`${procedure}: one input schema only`);
    const params = rest.path
      .split('/')
      .filter((s) => s.startsWith(':'))
      .map((s) => s.slice(1));
    const fields = objectShape(input);
    for (const p of params) {
      if (!fields?.[p]) throw new Error(`${procedure}: path parameter :${p} is not an input field`);
    }
    if (!meta.output)
      throw new Error(`${procedure}: a REST form needs its output schema (meta.output)`);
    if (rest.body && rest.body !== 'root' && !fields?.[rest.body]) {
      throw new Error(`${procedure}: body field "${rest.body}" is not an input field`);
    }
    routes.push({
      method: rest.method,
      path: `${API_PREFIX}${rest.path}`,
      procedure,
      type,
      rest,
      input,
      output: meta.output,
      supportEngineer: meta.supportEngineer === true,
      params,
      call: (ctx, value) =>
        proc({
          path: procedure,
          getRawInput: () => Promise.resolve(value),
          ctx,
          type,
          signal: undefined,
          batchIndex: 0,
        }),
    });
  }
  return routes;
}

// ---- Reading the input schema (zod 4's public `def`): what a query value should become.

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

/** Through optional, nullable, default, pipe and the like, to the schema that decides the type. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** The fields of an object input (through `.default()` and friends); null for other inputs. */
export function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> | null {
  if (!schema) return null;
  const d = defOf(unwrap(schema));
  return d.type === 'object' && d.shape ? d.shape : null;
}

export type QueryKind = 'number' | 'boolean' | 'array' | 'string';

/** How a query value of this field is decoded; arrays decode their elements the same way. */
export function queryKind(field: z.ZodType): QueryKind {
  const d = defOf(unwrap(field));
  if (d.type === 'number') return 'number';
  if (d.type === 'boolean') return 'boolean';
  if (d.type === 'array') return 'array';
  return 'string';
}

const NUMBER = /^-?[0-9]{1,16}(\.[0-9]{1,16})?$/;
const INT = /^-?[0-9]{1,16}$/;
const ID = /^[1-9][0-9]{0,15}$/;

function decodeScalar(name: string, kind: QueryKind, text: string, field: z.ZodType): unknown {
  if (kind === 'number') {
    // zod 4 marks `.int()` by the number's format ("safeint", "int32", ...).
    const format = (unwrap(field) as unknown as { format?: string | null }).format ?? '';
    const int = format.includes('int');
    if (!(int ? INT : NUMBER).test(text) || !Number.isFinite(Number(text))) {
      throw badRequest(`${name} must be a whole number`, name);
    }
    return Number(text);
  }
  if (kind === 'boolean') {
    if (!['true', 'false', '1', '0'].includes(text)) {
      throw badRequest(`${name} must be true or false (or 1 or 0)`, name);
    }
    return text === 'true' || text === '1';
  }
  return text;
}

/** The query string as input fields, each decoded by its schema; unknown names are a 400. */
export function decodeQuery(
  query: URLSearchParams,
  input: z.ZodType | undefined,
  exclude: readonly string[],
): Record<string, unknown> {
  const shape = objectShape(input) ?? {};
  const known = Object.keys(shape).filter((k) => !exclude.includes(k));
  const out: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) {
    const field = known.includes(name) ? shape[name] : undefined;
    if (!field) {
      throw badRequest(
        known.length
          ? `Unknown query parameter "${name}"; this endpoint takes ${known.join(', ')}`
          : `Unknown query parameter "${name}"; this endpoint takes none`,
        name,
      );
    }
    const values = query.getAll(name);
    const kind = queryKind(field);
    if (kind === 'array') {
      const element = defOf(unwrap(field)).element!;
      const elementKind = queryKind(element);
      out[name] = values
        .flatMap((v) => (elementKind === 'string' ? [v] : v.split(',')))
        .map((v) => decodeScalar(name, elementKind, v, element));
    } else {
      if (values.length > 1) throw badRequest(`${name} may be given only once`, name);
      out[name] = decodeScalar(name, kind, values[0]!, field);
    }
  }
  return out;
}

/** Path parameters as input fields: always positive whole ids. */
export function decodeParams(raw: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, text] of Object.entries(raw)) {
    if (!ID.test(text) || !Number.isSafeInteger(Number(text))) {
      throw badRequest(`${name} in the path must be a positive whole number (an id)`, name);
    }
    out[name] = Number(text);
  }
  return out;
}

const takesBody = (method: RestMethod): boolean => method !== 'GET' && method !== 'DELETE';

/**
 * The procedure's input from one REST request. Undefined when nothing was sent and the
 * procedure takes nothing, so its schema's defaults apply as they do over tRPC.
 */
export function assembleInput(
  route: ProjectedRoute,
  raw: Record<string, string>,
  query: URLSearchParams,
  body: unknown,
): unknown {
  const params = decodeParams(raw);
  const fromQuery = decodeQuery(query, route.input, route.params);
  let fromBody: Record<string, unknown> = {};
  if (takesBody(route.method) && body !== undefined) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('The request body must be a JSON object');
    }
    fromBody = body as Record<string, unknown>;
  }
  const placement = route.rest.body ?? 'root';
  let value: Record<string, unknown>;
  if (placement === 'root') {
    for (const [name, id] of Object.entries(params)) {
      if (fromBody[name] !== undefined && fromBody[name] !== id) {
        throw badRequest(`${name} comes from the path; leave it out of the body`, name);
      }
    }
    value = { ...fromBody, ...fromQuery, ...params };
  } else {
    value = { ...fromQuery, ...params, [placement]: fromBody };
  }
  // A procedure without input ignores a body, as REST always did; its query was refused above.
  if (!route.input) return undefined;
  if (Object.keys(value).length === 0 && !takesBody(route.method)) return undefined;
  return value;
}

/** An input field path as the REST caller sent it: the body field, without its placement. */
export function restFieldName(
  route: ProjectedRoute,
  field: string | undefined,
): string | undefined {
  const placement = route.rest.body;
  if (!field || !placement || placement === 'root') return field;
  if (field === placement) return undefined;
  return field.startsWith(`${placement}.`) ? field.slice(placement.length + 1) : field;
}
