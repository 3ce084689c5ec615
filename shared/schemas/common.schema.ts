import { z } from 'zod';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, SORT_ORDERS } from '../constants';
import { nameProblem, normalizeName } from '../names';

/** UI-11: `order` of every sorted list. */
export const sortOrder = z
  .enum(SORT_ORDERS, { error: 'order must be asc or desc' })
  .default('asc')
  .describe('asc (the default) or desc');
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Database ids are positive integers; anything else is a client mistake worth naming. */
export const id = (field: string) =>
  z
    .number({ error: `${field} must be a number (an id from a list call)` })
    .int(`${field} must be a whole number`)
    .positive(`${field} must be a positive id`);

export const nonBlank = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text` })
    .trim()
    .min(1, `${field} is required and cannot be blank`)
    .max(max, `${field} must be at most ${max} characters`);

/**
 * A name of an org, location or user (shared/names.ts): stored as NFC; control, bidirectional
 * and invisible format characters refused with a message naming the field and the code point.
 */
export const displayName = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text` })
    .overwrite(normalizeName)
    .min(1, `${field} is required and cannot be blank`)
    .max(max, `${field} must be at most ${max} characters`)
    .check((ctx) => {
      const problem = nameProblem(field, ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    });

export const optionalText = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text or null` })
    .trim()
    .max(max, `${field} must be at most ${max} characters`)
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v));

// C0 and C1 control characters and DEL: nothing a person types into a search box, and NUL
// truncates or breaks text in more than one layer below.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
export const hasControlCharacter = (v: string): boolean => CONTROL_CHARACTER.test(v);
const controlMessage = (field: string) =>
  `${field} must not contain control characters (such as NUL or a line break)`;

/** Search terms and filters: text without control characters, trimmed, at most `max` long. */
export const filterText = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text` })
    .trim()
    .max(max, `${field} must be at most ${max} characters`)
    .refine((v) => !hasControlCharacter(v), controlMessage(field));

/** An id given as text or a number (audit target ids), as trimmed text; null when absent or blank. */
export const idText = (field: string, max: number) =>
  z
    .union([z.string(), z.number().int()], {
      error: `${field} must be an id (text or a number)`,
    })
    .nullish()
    .transform((v) => (v === null || v === undefined ? null : String(v).trim()))
    .refine((v) => v === null || v.length <= max, `${field} must be at most ${max} characters`)
    .refine((v) => v === null || !hasControlCharacter(v), controlMessage(field))
    .transform((v) => (v === '' ? null : v));

export const pageInput = {
  skip: z
    .number({ error: 'skip must be a number' })
    .int('skip must be a whole number')
    .min(0, 'skip must be 0 or more')
    .default(0),
  limit: z
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, `limit must be between 1 and ${MAX_PAGE_LIMIT}`)
    .max(MAX_PAGE_LIMIT, `limit must be at most ${MAX_PAGE_LIMIT}: page with skip to read more`)
    .default(DEFAULT_PAGE_LIMIT),
};

// Output schemas describe what procedures answer, for the OpenAPI document and the contract
// tests. They are never parsed on the way out (answers stay byte-identical) and hold no
// transforms, so `z.toJSONSchema(schema, { io: 'output' })` can render every one of them.

/** A database id in an answer. */
export const idValue = z.number().int().positive();
/** A count in an answer: never negative. */
export const countValue = z.number().int().min(0);
/** Every time in an answer is an ISO 8601 string in UTC (`new Date(ms).toISOString()`). */
export const isoTime = z.string().describe('ISO 8601 time in UTC, e.g. 2026-01-31T12:00:00.000Z');

/** A page of a list: one slice of the matches, and how many match in all. */
export const pageOutput = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    total: countValue.describe('How many items match in all, across every page'),
  });
export type Page<T> = z.infer<ReturnType<typeof pageOutput<z.ZodType<T>>>>;

/** `{ ok: true }`: the call did what it says; there is nothing more to tell. */
export const okOutput = z.strictObject({ ok: z.literal(true) });
export type Ok = z.infer<typeof okOutput>;
