// Timing helpers for `npm run bench`: warm-up first, then medians and p95 over repeated runs.
export interface Timing {
  p50: number;
  p95: number;
  mean: number;
  runs: number;
}

/** "p50 1.23 ms / p95 4.56 ms": how every timing figure of the table reads. */
export const msFigure = (t: Timing, digits = 2): string =>
  `p50 ${t.p50.toFixed(digits)} ms / p95 ${t.p95.toFixed(digits)} ms`;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
    runs: sorted.length,
  };
}

/** Milliseconds per call of a synchronous or async function. */
export async function time(
  fn: () => unknown,
  { warmup = 20, runs = 200 }: { warmup?: number; runs?: number } = {},
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/**
 * Two functions timed in alternation (a, b, a, b, …), so drift in the machine's state (GC,
 * caches, other load) falls on both alike instead of on whichever block ran second.
 */
export async function timeInterleaved(
  a: () => unknown,
  b: () => unknown,
  { warmup = 20, runs = 200 }: { warmup?: number; runs?: number } = {},
): Promise<[Timing, Timing]> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    await a();
    sa.push(performance.now() - t0);
    t0 = performance.now();
    await b();
    sb.push(performance.now() - t0);
  }
  return [summarize(sa), summarize(sb)];
}

/** Operations per second of a tight synchronous loop over `inputs`, best of `rounds`. */
export function throughput<T>(inputs: T[], fn: (x: T) => unknown, rounds = 5): number {
  let sink = 0;
  for (const x of inputs.slice(0, 10_000)) if (fn(x)) sink++; // warm-up and JIT
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const x of inputs) if (fn(x)) sink++;
    const ms = performance.now() - t0;
    best = Math.max(best, inputs.length / (ms / 1000));
  }
  if (sink < 0) console.log(sink);
  return best;
}

/** A small seeded PRNG so the dataset is the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
