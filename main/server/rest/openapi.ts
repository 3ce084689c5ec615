// The OpenAPI 3.1 document of the REST API (API-2), built from the same route table the server
// answers: the routes projected from the router and the agents' hand-written endpoints. Schemas
// come from the zod schemas themselves (`z.toJSONSchema`), so the reference cannot drift from
// what the server parses.
import { z } from 'zod';
import { ERROR_CODES, REFUSAL_REASONS } from '../../../shared/error-codes';
import { AGENT_HEADERS } from '../../../shared/schemas/agents.schema';
import type { AgentEndpoint } from '../../features/agents/agents.http';
import type { RestMethod } from '../../trpc/meta';
import { API_PREFIX, type ProjectedRoute } from './projection';

export type JsonSchema = { [key: string]: unknown };

export interface OpenApiOptions {
  /** An absolute base (e.g. `https://orgdesk.example`); the servers entry is `/api/v1` when unset. */
  serverUrl?: string;
  /** The API's version: the package's. */
  version: string;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
  security: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Partial<Record<Lowercase<RestMethod>, OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, JsonSchema>;
    securitySchemes: Record<string, JsonSchema>;
  };
}

/** `/api/v1/organizations/:id` as OpenAPI writes it under the server: `/organizations/{id}`. */
export function openApiPath(fullPath: string): string {
  const path = fullPath.startsWith(API_PREFIX) ? fullPath.slice(API_PREFIX.length) : fullPath;
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Every error answer: one code, a message for people, and the input field at fault',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: {
          type: 'string',
          description: 'Stable and machine-readable; the HTTP status follows from it',
          examples: [
            ...Object.keys(ERROR_CODES),
            ...Object.keys(REFUSAL_REASONS),
            'METHOD_NOT_ALLOWED',
            'INTERNAL_SERVER_ERROR',
          ],
        },
        message: { type: 'string', description: 'What went wrong and what to do, in English' },
        field: {
          type: 'string',
          description: 'The input field at fault, named as the caller sent it (e.g. `name`)',
        },
      },
      required: ['code', 'message'],
      additionalProperties: false,
    },
  },
  required: ['error'],
  additionalProperties: false,
};

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

const retryAfter = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 0 },
};

/** The error answers every route may give, by status (components.responses). */
const ERROR_RESPONSES: Record<string, JsonSchema> = {
  BadRequest: {
    description:
      'BAD_REQUEST: the input does not parse (the field is named), or the body is not JSON',
    content: errorContent,
  },
  Unauthorized: {
    description: 'UNAUTHORIZED: no credentials, or ones that are unknown, expired or revoked',
    headers: {
      'WWW-Authenticate': { description: '`Bearer`', schema: { type: 'string', const: 'Bearer' } },
    },
    content: errorContent,
  },
  Forbidden: {
    description: 'FORBIDDEN: the caller may not do this (role, read-only token, support access)',
    content: errorContent,
  },
  NotFound: {
    description: 'NOT_FOUND: no such record, or none the caller may see',
    content: errorContent,
  },
  Conflict: {
    description: 'CONFLICT: the change clashes with the current state (a duplicate name, …)',
    content: errorContent,
  },
  PayloadTooLarge: {
    description: 'PAYLOAD_TOO_LARGE: the request body is over 1 MiB',
    content: errorContent,
  },
  TooManyRequests: {
    description: 'TOO_MANY_REQUESTS: throttled; try again after Retry-After seconds',
    headers: { 'Retry-After': retryAfter },
    content: errorContent,
  },
};

const errorRefs = (throttled: boolean): Record<string, JsonSchema> => {
  const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
  return {
    '400': ref('BadRequest'),
    '401': ref('Unauthorized'),
    '403': ref('Forbidden'),
    '404': ref('NotFound'),
    '409': ref('Conflict'),
    '413': ref('PayloadTooLarge'),
    ...(throttled ? { '429': ref('TooManyRequests') } : {}),
  };
};

/** Agent header → its security scheme. */
const AGENT_SCHEMES: Record<string, { scheme: string; name: string; description: string }> = {
  [AGENT_HEADERS.secret]: {
    scheme: 'organizationSecret',
    name: 'X-Organization-Secret',
    description:
      'The organization secret: every agent registration, and every heartbeat of a legacy agent',
  },
  [AGENT_HEADERS.hostId]: {
    scheme: 'agentHostId',
    name: 'X-Host-Id',
    description: 'The host id the registration answered: every heartbeat',
  },
  [AGENT_HEADERS.timestamp]: {
    scheme: 'agentTimestamp',
    name: 'X-Timestamp',
    description:
      'Go agents: Unix time in whole seconds when the heartbeat was signed (within 5 minutes of the server)',
  },
  [AGENT_HEADERS.signature]: {
    scheme: 'agentSignature',
    name: 'X-Signature',
    description:
      'Go agents: standard base64 Ed25519 signature, with the key sent at registration, over `${X-Host-Id}.${X-Timestamp}.${sha256hex(exact body bytes)}`',
  },
};

const SECURITY_SCHEMES: Record<string, JsonSchema> = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A personal API token (POST /tokens, or the bootstrap admin token) or a session token from POST /auth/login',
  },
  ...Object.fromEntries(
    Object.values(AGENT_SCHEMES).map((s) => [
      s.scheme,
      { type: 'apiKey', in: 'header', name: s.name, description: s.description },
    ]),
  ),
};

/** The security requirements of an agent endpoint, from the headers it reads. */
function agentSecurity(headers: readonly string[]): Record<string, string[]>[] {
  const has = (h: string) => headers.includes(h);
  const scheme = (h: string) => AGENT_SCHEMES[h]!.scheme;
  const requirements: Record<string, string[]>[] = [];
  if (has(AGENT_HEADERS.signature)) {
    // A Go heartbeat: all three signed headers together.
    requirements.push({
      [scheme(AGENT_HEADERS.hostId)]: [],
      [scheme(AGENT_HEADERS.timestamp)]: [],
      [scheme(AGENT_HEADERS.signature)]: [],
    });
  }
  if (has(AGENT_HEADERS.secret)) {
    // Registration, or a legacy heartbeat (which names its host too).
    requirements.push({
      [scheme(AGENT_HEADERS.secret)]: [],
      ...(has(AGENT_HEADERS.hostId) ? { [scheme(AGENT_HEADERS.hostId)]: [] } : {}),
    });
  }
  return requirements;
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Sign-in, sessions and personal API tokens',
  users: 'The users of the account and their roles',
  organizations: 'Organizations (tenants), their secrets and agent configuration',
  locations: 'Locations and their subnets',
  hosts: 'Hosts (registered agents)',
  supportAccess: 'Support access: grants, requests and their decisions',
  audit: 'The audit trail',
  automation: 'Automation decisions',
  workflows: 'Workflow definitions and runs',
  incidents: 'Incidents',
  featureFlags: 'Feature flags',
  onboarding: 'Onboarding defaults: alert rules and compliance baselines',
  governance: 'Recordings, retention and legal hold',
  gdpr: 'GDPR erasure and exports',
  agents: 'The agent protocol: registration and heartbeats (no bearer token)',
};

/** The JSON Schema of a zod schema, ready to embed in the document (no `$schema`). */
function embed(schema: z.ZodType, io: 'input' | 'output', name: string): JsonSchema {
  // Recursive or id-named schemas would need `$defs` moved into components: none exist, so refuse.
  const json = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    cycles: 'throw',
  }) as JsonSchema;
  if (json.$defs) throw new Error(`${name}: a schema with $defs needs components; inline it`);
  delete json.$schema;
  return json;
}

const isNullSchema = (s: unknown): boolean =>
  !!s && typeof s === 'object' && (s as JsonSchema).type === 'null';

/**
 * A query value cannot be null (leaving the parameter out is how a caller says "none"), so a
 * nullable field's schema is documented without its null branch.
 */
function withoutNull(schema: JsonSchema): JsonSchema {
  const { anyOf, type, ...rest } = schema;
  if (Array.isArray(anyOf) && anyOf.some(isNullSchema)) {
    const kept = anyOf.filter((s) => !isNullSchema(s)) as JsonSchema[];
    if (kept.length === 1) return { ...rest, ...kept[0] };
    return { ...rest, anyOf: kept };
  }
  if (Array.isArray(type) && type.includes('null')) {
    const kept = type.filter((t) => t !== 'null');
    return { ...rest, type: kept.length === 1 ? kept[0] : kept };
  }
  return schema;
}

/** An object schema's properties without `names` (the path parameters). */
function withoutProperties(schema: JsonSchema, names: readonly string[]): JsonSchema {
  if (!schema.properties || names.length === 0) return schema;
  const properties = { ...(schema.properties as Record<string, JsonSchema>) };
  for (const n of names) delete properties[n];
  const required = ((schema.required ?? []) as string[]).filter((r) => !names.includes(r));
  const out: JsonSchema = { ...schema, properties };
  if (required.length) out.required = required;
  else delete out.required;
  if (out.default && typeof out.default === 'object') {
    const d = { ...(out.default as Record<string, unknown>) };
    for (const n of names) delete d[n];
    out.default = d;
  }
  return out;
}

const requiredOf = (schema: JsonSchema): string[] => (schema.required ?? []) as string[];

const takesBody = (method: RestMethod): boolean => method !== 'GET' && method !== 'DELETE';

function routeOperation(route: ProjectedRoute): OpenApiOperation {
  const name = route.procedure;
  const input = route.input ? embed(route.input, 'input', `${name}.input`) : null;
  const properties = (input?.properties ?? {}) as Record<string, JsonSchema>;
  const parameters: JsonSchema[] = route.params.map((p) => ({
    name: p,
    in: 'path',
    required: true,
    description:
      (properties[p]?.description as string | undefined) ??
      (p === 'id' ? 'The id (a positive whole number)' : `The ${p.replace(/_id$/, '')}'s id`),
    schema: { type: 'integer', minimum: 1 },
  }));
  let requestBody: JsonSchema | undefined;
  if (input && !takesBody(route.method)) {
    const required = requiredOf(input);
    for (const [field, schema] of Object.entries(properties)) {
      if (route.params.includes(field)) continue;
      const s = withoutNull(schema);
      const isArray = s.type === 'array';
      parameters.push({
        name: field,
        in: 'query',
        required: required.includes(field),
        ...(typeof s.description === 'string' ? { description: s.description } : {}),
        schema: s,
        ...(isArray ? { style: 'form', explode: true } : {}),
      });
    }
  } else if (input) {
    const placement = route.rest.body ?? 'root';
    const body =
      placement === 'root' ? withoutProperties(input, route.params) : properties[placement]!;
    requestBody = {
      required: requiredOf(body).length > 0,
      content: { 'application/json': { schema: body } },
    };
  }

  const status = String(route.rest.status ?? 200);
  let schema = embed(route.output, 'output', `${name}.output`);
  const headers: Record<string, JsonSchema> = {};
  if (route.rest.list) {
    headers['X-Total-Count'] = {
      description: 'How many items match in all, across every page (skip and limit page them)',
      schema: { type: 'integer', minimum: 0 },
    };
    const items = (schema.properties as Record<string, JsonSchema> | undefined)?.items;
    if (!items || items.type !== 'array') {
      throw new Error(`${name}: a list's output must be a page { items: [...], total }`);
    }
    schema = items;
  }
  const throttled = route.rest.auth === 'none';
  const file = route.rest.file;
  // A file answer: the body is the file's bytes in one of its content types, not the output
  // schema (that is tRPC's envelope of the same procedure).
  let content: Record<string, JsonSchema> = { 'application/json': { schema } };
  if (file) {
    headers['Content-Disposition'] = {
      description: 'attachment, with the file name to save it under',
      schema: { type: 'string', pattern: '^attachment; filename="[A-Za-z0-9._-]+"$' },
    };
    for (const [name, description] of Object.entries(file.headers ?? {})) {
      headers[name] = { description, schema: { type: 'string' } };
    }
    content = Object.fromEntries(
      file.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
    );
  }
  const notes = [
    route.supportEngineer ? 'A support engineer may call this.' : '',
    route.rest.list
      ? 'Answers the page as a JSON array; X-Total-Count tells how many match in all.'
      : '',
    file
      ? 'Answers the file itself, streamed (Content-Length first; a transfer cut short is no file). Errors still answer the JSON error shape, before any byte of the file.'
      : '',
  ].filter(Boolean);
  return {
    operationId: name,
    summary: route.rest.summary,
    ...(notes.length ? { description: notes.join(' ') } : {}),
    tags: [name.split('.')[0]!],
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [status]: {
        description: status === '201' ? 'Created' : 'OK',
        ...(Object.keys(headers).length ? { headers } : {}),
        content,
      },
      ...errorRefs(throttled),
    },
    security: route.rest.auth === 'none' ? [] : [{ bearer: [] }],
  };
}

function agentOperation(endpoint: AgentEndpoint): OpenApiOperation {
  const action = endpoint.path.split('/').filter(Boolean).pop()!;
  const name = `agents.${action}`;
  const body = embed(endpoint.body, 'input', `${name}.input`);
  const output = embed(endpoint.output, 'output', `${name}.output`);
  const responses: Record<string, JsonSchema> = {};
  for (const status of endpoint.statuses ?? [200]) {
    responses[String(status)] = {
      description: status === 201 ? 'Created' : 'OK',
      content: { 'application/json': { schema: output } },
    };
  }
  return {
    operationId: name,
    summary: endpoint.summary,
    tags: ['agents'],
    ...(endpoint.optionalHeaders?.length
      ? {
          parameters: endpoint.optionalHeaders.map((h) => ({
            name: h.name,
            in: 'header',
            required: false,
            description: h.description,
            schema: { type: 'string' },
          })),
        }
      : {}),
    requestBody: {
      // A heartbeat may be empty; a registration must say who it is.
      required: !endpoint.body.safeParse({}).success,
      content: { 'application/json': { schema: body } },
    },
    responses: { ...responses, ...errorRefs(true) },
    security: agentSecurity(endpoint.headers),
  };
}

/** The OpenAPI 3.1 document of these routes and agent endpoints. */
export function buildOpenApiDocument(
  routes: readonly ProjectedRoute[],
  agents: readonly AgentEndpoint[],
  o: OpenApiOptions,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  const add = (method: RestMethod, path: string, op: OpenApiOperation) => {
    const item = (paths[path] ??= {});
    const key = method.toLowerCase() as Lowercase<RestMethod>;
    if (item[key]) throw new Error(`Two operations for ${method} ${path}`);
    item[key] = op;
    for (const t of op.tags) tags.add(t);
  };
  for (const route of routes) {
    add(route.method, openApiPath(route.path), routeOperation(route));
  }
  for (const endpoint of agents) {
    add(endpoint.method, openApiPath(endpoint.path), agentOperation(endpoint));
  }
  const base = o.serverUrl ? `${o.serverUrl.replace(/\/+$/, '')}${API_PREFIX}` : API_PREFIX;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Orgdesk',
      version: o.version,
      description:
        'The Orgdesk REST API: the console’s procedures (authenticated with a bearer token) and the agent protocol. ' +
        'Errors answer `{"error": {"code", "message", "field"?}}`; lists answer a JSON array with X-Total-Count.',
    },
    servers: [{ url: base, description: 'This Orgdesk server' }],
    tags: [...tags].map((name) =>
      TAG_DESCRIPTIONS[name] ? { name, description: TAG_DESCRIPTIONS[name] } : { name },
    ),
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      responses: ERROR_RESPONSES,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
