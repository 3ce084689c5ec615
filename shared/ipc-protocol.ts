// zod schemas for the desktop bridge's messages (see ipc-channels.ts for the types and channels).
// Main validates every incoming message with these before anything else runs.
import { z } from 'zod';
import { MENU_COMMANDS, type IpcRequest, type IpcResponse, type ShellEvent } from './ipc-channels';

export * from './ipc-channels';

/** Dotted procedure names such as `organizations.list`; nothing that could walk an object. */
const PROCEDURE_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,7}$/;

const requestId = z
  .number({ error: 'id must be a number' })
  .int('id must be a whole number')
  .nonnegative('id must be 0 or more')
  .max(Number.MAX_SAFE_INTEGER, 'id is too large');

export const ipcRequestSchema = z.strictObject({
  id: requestId,
  type: z.enum(['query', 'mutation'], {
    error: 'type must be "query" or "mutation" (subscriptions are not carried over IPC)',
  }),
  path: z
    .string({ error: 'path must be text, e.g. "organizations.list"' })
    .max(200, 'path must be at most 200 characters')
    .regex(PROCEDURE_PATH, 'path must be a procedure name such as "organizations.list"'),
  input: z.unknown().optional(),
}) satisfies z.ZodType<IpcRequest>;

const errorShape = z.object({
  code: z.number(),
  message: z.string(),
  data: z.looseObject({
    code: z.string(),
    httpStatus: z.number().optional(),
    path: z.string().optional(),
    field: z.string().nullable().optional(),
  }),
});

export const ipcResponseSchema = z.union([
  z.strictObject({ id: requestId.nullable(), result: z.strictObject({ data: z.unknown() }) }),
  z.strictObject({ id: requestId.nullable(), error: errorShape }),
]) satisfies z.ZodType<IpcResponse>;

const count = z.number().int().nonnegative();

export const shellEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('menu'), command: z.enum(MENU_COMMANDS) }),
  z.strictObject({
    type: z.literal('open-organization'),
    organization_id: z.number().int().positive(),
  }),
  z.strictObject({
    type: z.literal('progress'),
    job_id: z.string().max(100),
    label: z.string().max(500),
    phase: z.string().max(200),
    done: count,
    total: count,
    finished: z.boolean(),
  }),
  z.strictObject({ type: z.literal('session-changed') }),
]) satisfies z.ZodType<ShellEvent>;
