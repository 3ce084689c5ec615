// What a procedure declares about itself beside its input: its REST form, whether a support
// engineer may call it, and the schema of its result. The REST routes, the OpenAPI document and
// the isolation matrix are all projected from these declarations (API-1, API-2): one API.
import type { z } from 'zod';

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestForm {
  method: RestMethod;
  /**
   * Under `/api/v1`, e.g. `/organizations/:id`. Each `:name` segment fills the input field of that
   * name (a positive id), so the path's names are the input's names.
   */
  path: string;
  /**
   * Where a JSON body goes in the input. `root` (the default for POST, PUT and PATCH): its fields
   * sit beside the path's; a field name (e.g. `patch`): the whole body becomes that field, and
   * field errors are reported without that prefix. GET and DELETE take no body: the query string
   * fills the input instead (decoded by the input schema: numbers, booleans, repeated = array).
   */
  body?: 'root' | (string & {});
  /** 201 for creations; 200 otherwise. */
  status?: 200 | 201;
  /** The result is a page `{items, total}`: answered as the JSON array with `X-Total-Count`. */
  list?: boolean;
  /** One line for the API reference. */
  summary: string;
  /** Sign-in takes no bearer token; every other route does. */
  auth?: 'bearer' | 'none';
  /**
   * The answer is a file, not a JSON envelope: the REST layer calls the procedure with
   * `ctx.asFile` set, and the procedure answers a FileAnswer (main/core/file-answer.ts) whose
   * bytes are streamed as the body with Content-Disposition: attachment. Access checks, audit
   * entries and every error come before the first byte; a failure after it cuts the connection,
   * short of the Content-Length, so no partial file passes for a whole one. tRPC callers still
   * get `output` (the envelope). The OpenAPI document lists these content types, as binary.
   */
  file?: {
    contentTypes: readonly string[];
    /** Headers the file answer carries, by name, with what they say (documented). */
    headers?: Readonly<Record<string, string>>;
  };
}

export interface Meta {
  rest?: RestForm;
  /**
   * A support engineer may call this mutation (asking for access, signing out). Queries are
   * reads and always pass this rule; access checks still decide what they may read (SUP-5).
   */
  supportEngineer?: boolean;
  /** The result's schema: the OpenAPI document and the contract tests check answers against it. */
  output?: z.ZodType;
  /**
   * IDN-1: callable by a user whose account requires a second factor before they have one (what
   * enrolment needs, signing out, who am I). Everything else answers MFA_ENROLMENT_REQUIRED.
   */
  duringEnrolment?: boolean;
  /**
   * IDN-3: a dangerous action: a user with a second factor must have given it within the last
   * five minutes (STEP_UP_REQUIRED otherwise). `{ when: field }`: only when that input field is
   * true (organizations.delete with hard_delete). tests/second-factor.test.ts pins the list.
   */
  stepUp?: true | { when: string };
}
