// The ORG-2 page's named statements (main/db/pg/repos/organizations.ts): a named statement is
// kept on every connection that ran it, so the number of distinct texts sent named is bounded.
import { describe, expect, it } from 'vitest';
import {
  NAMED_PAGE_SHAPES,
  pageStatementName,
  pageStatementNameFor,
} from '../../main/db/pg/repos/organizations';

describe('ORG-2 page statement names', () => {
  it('names a text by its digest, the same text the same name, until NAMED_PAGE_SHAPES texts; a new text past that goes unnamed, a known one keeps its name', () => {
    const first = 'SELECT 1 /* shape 0 */';
    expect(pageStatementNameFor(first)).toBe(pageStatementName(first));
    for (let i = 1; i < NAMED_PAGE_SHAPES + 10; i++)
      pageStatementNameFor(`SELECT 1 /* shape ${i} */`);
    expect(pageStatementNameFor('SELECT 1 /* one more shape */')).toBeUndefined();
    expect(pageStatementNameFor(first)).toBe(pageStatementName(first));
    expect(pageStatementNameFor(`SELECT 1 /* shape ${NAMED_PAGE_SHAPES - 1} */`)).toBe(
      pageStatementName(`SELECT 1 /* shape ${NAMED_PAGE_SHAPES - 1} */`),
    );
  });
});
