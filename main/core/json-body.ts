import { DomainError } from './errors';

/** A request body as JSON; undefined when empty; 400 when it is not JSON (its text is never echoed). */
export function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError(
      'BAD_REQUEST',
      'The request body is not valid JSON; send a JSON object with Content-Type: application/json',
    );
  }
}
