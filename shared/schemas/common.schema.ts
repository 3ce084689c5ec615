import { z } from 'zod';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../constants';

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

export const optionalText = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text or null` })
    .trim()
    .max(max, `${field} must be at most ${max} characters`)
    .nullable()
    .optional()
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

export interface Page<T> {
  items: T[];
  total: number;
}
