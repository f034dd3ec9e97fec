import { performance } from 'node:perf_hooks';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import { createStorage, manualClock, type Storage } from '@stowage/core';
import { watchLoopDelay } from '../loop-delay.js';
import type { ScaleSizes } from '../sizes.js';
import { percentile, round } from '../stats.js';
import { storageQueries } from '../targets/stowage.js';
import { QUERY_WORKLOADS, type QueryWorkload, runQuery } from '../workloads.js';
import type { ScaleSpec } from './scale-targets.js';

/** Listing or counting among `sessions` sessions: per-call latency against the p95 target. */
export interface ScaleQueryResult {
  workload: QueryWorkload;
  target: string;
  backend: string;
  sessions: number;
  calls: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  targetMs: number;
  /** Whether p95 is within the target. */
  met: boolean;
  /** Time the raw bulk insert took to bring the table to `sessions` rows. */
  seedMs: number;
}

/** Sweeping `sessions` expired sessions in the adapter's batches, yielding between batches. */
export interface ScaleSweepResult {
  workload: 'sweep';
  target: string;
  backend: string;
  sessions: number;
  batches: number;
  totalMs: number;
  rowsPerSec: number;
  /** The slowest single `sweep()` call. */
  maxBatchMs: number;
  /** The longest event-loop delay `monitorEventLoopDelay` saw while sweeping. */
  maxStallMs: number;
  /** The 99th percentile of those delays: one slow batch versus a steadily blocked loop. */
  p99StallMs: number;
  /**
   * The longest delay over the same kind of window with nothing running: what the machine's
   * other load alone does to the event loop, to read `maxStallMs` against.
   */
  idleStallMs: number;
  targetMs: number;
  /** Whether the longest stall is within the target. */
  met: boolean;
  seedMs: number;
}

/** One scale result. */
export type ScaleResult = ScaleQueryResult | ScaleSweepResult;

/** Seeded sessions of the sweep live this long; the manual clock then jumps past it. */
const SWEEP_TTL_MS = 60_000;
/** Untimed calls before each timed scale workload: every state once, four tenants. */
const WARM_UP_CALLS = 4;
/** A generous call deadline: a count over a million rows on a loaded machine is not an outage. */
const TIMEOUT = '300s';

/** A storage on a manual clock, connected (tables created) before anything is seeded. */
async function openStorage(spec: ScaleSpec, slot: string) {
  const clock = manualClock(Date.now());
  const storage: Storage = createStorage({ adapter: spec.adapter(slot), clock, timeout: TIMEOUT });
  // Any call connects and migrates, so the bulk seeder finds the tables.
  await storage.sessions.get('scale-probe');
  return { clock, storage };
}

async function queryScale(
  spec: ScaleSpec,
  sizes: ScaleSizes,
  log: (line: string) => void,
): Promise<ScaleQueryResult[]> {
  const { storage } = await openStorage(spec, 'q');
  const seeder = spec.seeder('q');
  const results: ScaleQueryResult[] = [];
  try {
    const queries = storageQueries(storage);
    let seeded = 0;
    for (const sessions of sizes.counts) {
      const seedStart = performance.now();
      await seeder.insert('q', seeded, sessions, null);
      await seeder.settle();
      seeded = sessions;
      const seedMs = performance.now() - seedStart;
      log(`  ${spec.name}: ${sessions} sessions seeded in ${Math.round(seedMs)} ms`);
      for (const name of QUERY_WORKLOADS) {
        // One untimed pass over every state and tenant warms caches and prepared plans.
        await runQuery(spec.name, queries, sessions, WARM_UP_CALLS, name);
        const sample = await runQuery(spec.name, queries, sessions, sizes.queryOps, name, sizes);
        const sorted = [...sample.latencies].sort((a, b) => a - b);
        const p95Ms = round(percentile(sorted, 95));
        results.push({
          workload: name,
          target: spec.name,
          backend: spec.backend,
          sessions,
          calls: sorted.length,
          p50Ms: round(percentile(sorted, 50)),
          p95Ms,
          p99Ms: round(percentile(sorted, 99)),
          maxMs: round(sorted.at(-1) ?? 0),
          targetMs: sizes.queryTargetMs,
          met: p95Ms <= sizes.queryTargetMs,
          seedMs: round(seedMs),
        });
        log(`  ${spec.name} ${name} among ${sessions}: p95 ${p95Ms} ms`);
      }
    }
  } finally {
    await seeder.close();
    await storage.close();
  }
  return results;
}

/** The longest event-loop delay over a window in which this process does nothing. */
async function idleStall(windowMs: number): Promise<number> {
  const histogram = await watchLoopDelay();
  await sleep(windowMs);
  histogram.disable();
  return round(histogram.max / 1e6);
}

async function sweepScale(
  spec: ScaleSpec,
  sizes: ScaleSizes,
  log: (line: string) => void,
): Promise<ScaleSweepResult> {
  const { clock, storage } = await openStorage(spec, 'sweep');
  const seeder = spec.seeder('sweep');
  try {
    const seedStart = performance.now();
    await seeder.insert('x', 0, sizes.sweepN, clock.now() + SWEEP_TTL_MS);
    await seeder.settle();
    const seedMs = performance.now() - seedStart;
    log(`  ${spec.name}: ${sizes.sweepN} expired sessions seeded in ${Math.round(seedMs)} ms`);
    clock.advance(2 * SWEEP_TTL_MS);
    const idleStallMs = await idleStall(sizes.idleWindowMs);
    let removed = 0;
    let batches = 0;
    let maxBatchMs = 0;
    const histogram = await watchLoopDelay();
    const start = performance.now();
    for (;;) {
      const batchStart = performance.now();
      const n = await storage.sweep({ limit: spec.sweepBatch });
      maxBatchMs = Math.max(maxBatchMs, performance.now() - batchStart);
      if (n === 0) break;
      removed += n;
      batches += 1;
      // The adapters' background sweepers also hand the loop back between batches.
      await yieldToLoop();
    }
    const totalMs = performance.now() - start;
    histogram.disable();
    if (removed !== sizes.sweepN) {
      throw new Error(`${spec.name} scale sweep removed ${removed}, expected ${sizes.sweepN}`);
    }
    const maxStallMs = round(histogram.max / 1e6);
    const p99StallMs = round(histogram.percentile(99) / 1e6);
    log(
      `  ${spec.name} sweep of ${removed}: ${Math.round(totalMs)} ms, slowest batch ${Math.round(maxBatchMs)} ms, stall max ${maxStallMs} ms, p99 ${p99StallMs} ms (idle ${idleStallMs} ms)`,
    );
    return {
      workload: 'sweep',
      target: spec.name,
      backend: spec.backend,
      sessions: removed,
      batches,
      totalMs: round(totalMs),
      rowsPerSec: round((removed / totalMs) * 1000),
      maxBatchMs: round(maxBatchMs),
      maxStallMs,
      p99StallMs,
      idleStallMs,
      targetMs: sizes.stallTargetMs,
      met: maxStallMs <= sizes.stallTargetMs,
      seedMs: round(seedMs),
    };
  } finally {
    await seeder.close();
    await storage.close();
  }
}

/**
 * Runs the scale workloads on each spec: listing and counting as the table grows through
 * `sizes.counts`, then a sweep of `sizes.sweepN` expired sessions on a second namespace.
 */
export async function runScale(
  specs: readonly ScaleSpec[],
  sizes: ScaleSizes,
  log: (line: string) => void = () => {},
): Promise<ScaleResult[]> {
  const results: ScaleResult[] = [];
  for (const spec of specs) {
    results.push(...(await queryScale(spec, sizes, log)));
    results.push(await sweepScale(spec, sizes, log));
  }
  return results;
}
