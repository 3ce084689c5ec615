// bench/outbox-bench.ts, issue 18's registration row: the order of its runs and how it turns
// them into a cost. This morning's quiet run measured the first "none" 20 % above its "with"
// and the second pair 5 % apart: a drift along the run, which N/W/N/W handed to one side.
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { outboxCost, PLAN, udpSink } from '../bench/outbox-bench';

/** The plan's runs on a machine that drifts and a destination that costs nothing. */
const drifting = (drift: (i: number) => number) =>
  PLAN.map((mode, i) => ({ mode, cpuMsPerReq: 0.3 + drift(i), reqPerSec: 1 / (0.3 + drift(i)) }));

describe('the outbox bench', () => {
  it('a drift along the run, linear or quadratic, costs a free destination nothing', () => {
    for (const drift of [(i: number) => 0.01 * i, (i: number) => -0.004 * i * i]) {
      const c = outboxCost(drifting(drift));
      expect(Math.abs(c.cost)).toBeLessThan(1e-9);
    }
    expect(PLAN.filter((m) => m === 'none').length).toBe(PLAN.filter((m) => m === 'with').length);
  });

  it('judges the cost by the server CPU per registration, and reports req/s beside it', () => {
    const c = outboxCost([
      { mode: 'none', cpuMsPerReq: 0.3, reqPerSec: 2000 },
      { mode: 'with', cpuMsPerReq: 0.33, reqPerSec: 1500 },
    ]);
    expect(c.cost).toBeCloseTo(1 - 0.3 / 0.33, 9);
    expect(c.rateCost).toBeCloseTo(0.25, 9);
  });

  it("sends to a collector that exists: the server's kernel answers no port unreachable", async () => {
    // A connected UDP socket reports the ICMP port unreachable of one datagram as ECONNREFUSED
    // on a later one: what each datagram to port 9 (nothing bound) cost the server's kernel.
    const refused = async (port: number) => {
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.connect(port, '127.0.0.1', r));
      const errors: string[] = [];
      s.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((r) =>
          s.send('<110>1 - - - - - x', (e) => {
            if (e) errors.push((e as NodeJS.ErrnoException).code ?? e.message);
            r();
          }),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      s.close();
      return errors;
    };
    expect(await refused(9)).toContain('ECONNREFUSED');
    const sink = await udpSink();
    try {
      expect(await refused(sink.port)).toEqual([]);
    } finally {
      sink.close();
    }
  });
});
