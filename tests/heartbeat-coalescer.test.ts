// The PostgreSQL heartbeats' Coalescer (main/db/pg/heartbeat-batcher.ts) on its own: what one
// event-loop turn submits is one batch, and a failed batch fails every one of its items.
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../main/db/pg/heartbeat-batcher';

describe('Coalescer', () => {
  it('items submitted in one turn run as one batch, each answered with its own element', async () => {
    const batches: number[][] = [];
    const c = new Coalescer<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((i) => i * 10);
      },
      { maxBatch: 256, maxInFlight: 2 },
    );
    expect(await Promise.all([c.submit(1), c.submit(2), c.submit(3)])).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('a failed batch rejects every item of it with its error, and the next batch runs', async () => {
    let fail = true;
    const c = new Coalescer<number, number>(
      async (items) => {
        if (fail) throw new Error('statement failed');
        return items;
      },
      { maxBatch: 256, maxInFlight: 2 },
    );
    const settled = await Promise.allSettled([c.submit(8), c.submit(9), c.submit(10)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    expect(await c.submit(11)).toBe(11);
  });

  it('with a key, one item per key a batch: the later one of a key waits for the next batch', async () => {
    const batches: string[][] = [];
    const c = new Coalescer<string, string>(
      async (items) => {
        batches.push(items);
        return items;
      },
      { maxBatch: 256, maxInFlight: 2, key: (s) => s.split(':')[0] },
    );
    await Promise.all([c.submit('a:1'), c.submit('b:1'), c.submit('a:2')]);
    expect(batches).toEqual([['a:1', 'b:1'], ['a:2']]);
  });
});
