import { performance } from 'node:perf_hooks';
import { makeDocs } from './data.js';
import { watchLoopDelay } from './loop-delay.js';
import type { Sizes } from './sizes.js';
import { median, percentile, round } from './stats.js';
import type { Target, TargetSpec } from './types.js';
import {
  prepareOps,
  QUERY_WORKLOADS,
  type RoundSample,
  runBatchGet,
  runBatchSave,
  runConversation,
  runGet,
  runMixed,
  runQuery,
  runSave,
  WORKLOADS,
  type WorkloadName,
} from './workloads.js';

/** One target's result on one workload: medians over rounds, or why it was skipped. */
export interface WorkloadResult {
  workload: WorkloadName;
  target: string;
  backend: string;
  kind: string;
  /** Set when the target cannot do this workload. */
  skipped?: string;
  /** Calls per round (a batch call counts once). */
  ops?: number;
  opsPerSec?: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Per-call time of this target divided by the raw driver's, from the ops/s medians. */
  ratio?: number;
  /** Workload-specific medians: conversation flatness, sweep total time and longest stall. */
  extra?: Record<string, number>;
}

function summarise(
  samples: RoundSample[],
): Omit<WorkloadResult, 'workload' | 'target' | 'backend' | 'kind'> {
  const per = samples.map((s) => {
    const sorted = [...s.latencies].sort((a, b) => a - b);
    return {
      opsPerSec: (s.latencies.length / s.wallMs) * 1000,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    };
  });
  const extraKeys = Object.keys(samples[0]?.extra ?? {});
  const extra =
    extraKeys.length === 0
      ? undefined
      : Object.fromEntries(
          extraKeys.map((k) => [k, round(median(samples.map((s) => s.extra?.[k] ?? 0)))]),
        );
  return {
    ops: samples[0]?.latencies.length ?? 0,
    opsPerSec: round(median(per.map((p) => p.opsPerSec))),
    p50Ms: round(median(per.map((p) => p.p50))),
    p95Ms: round(median(per.map((p) => p.p95))),
    p99Ms: round(median(per.map((p) => p.p99))),
    ...(extra === undefined ? {} : { extra }),
  };
}

/** Seeds expired sessions on a fresh instance, then times removing them all and the worst stall. */
async function sweepRound(spec: TargetSpec, sizes: Sizes, roundNo: number): Promise<RoundSample> {
  const target = await spec.create(`sweep${roundNo}`);
  try {
    const sweep = target.sweep;
    if (sweep === undefined) throw new Error(`${target.name} cannot sweep`);
    await sweep.seedExpired(makeDocs(`x${roundNo}`, sizes.sweepN));
    const histogram = await watchLoopDelay();
    const start = performance.now();
    const removed = await sweep.sweepAll();
    const wallMs = performance.now() - start;
    histogram.disable();
    if (removed !== sizes.sweepN) {
      throw new Error(`${target.name} sweep removed ${removed}, expected ${sizes.sweepN}`);
    }
    return {
      latencies: [wallMs],
      wallMs,
      extra: { totalMs: wallMs, maxStallMs: histogram.max / 1e6, removed },
    };
  } finally {
    await target.close();
  }
}

type Measured = Partial<Record<WorkloadName, RoundSample[]>>;

function add(measured: Measured, name: WorkloadName, sample: RoundSample): void {
  const list = measured[name] ?? [];
  list.push(sample);
  measured[name] = list;
}

/** The per-key workloads, in the order one round runs them. */
const OPS_STEPS: readonly {
  name: WorkloadName;
  runs: (target: Target, sizes: Sizes, round: number) => boolean;
  run: (target: Target, sizes: Sizes, round: number) => Promise<RoundSample>;
}[] = [
  { name: 'save', runs: () => true, run: runSave },
  { name: 'get', runs: () => true, run: (t, s) => runGet(t, s) },
  { name: 'mixed', runs: () => true, run: (t, s) => runMixed(t, s) },
  { name: 'conversation', runs: (_, s, r) => r < s.conversationRounds, run: runConversation },
  { name: 'batch-save', runs: hasBatches, run: runBatchSave },
  { name: 'batch-get', runs: hasBatches, run: (t, s) => runBatchGet(t, s) },
];

function hasBatches(target: Target): boolean {
  return target.saveMany !== undefined && target.getMany !== undefined;
}

/** `items` rotated left by `by`, so no target always runs first (or right after another). */
function rotated<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * The per-key workloads of one backend's targets, interleaved: every round runs each workload
 * on every target back to back (in an order that rotates per round) before the next workload,
 * so the raw floor and the libraries compared with it see the same machine load. Run one
 * target after another, a busy minute lands on one side only and moves its ratio by 2x.
 */
async function measureOps(
  specs: readonly TargetSpec[],
  sizes: Sizes,
): Promise<{ measured: Map<string, Measured>; skips: Map<string, Record<string, string>> }> {
  const measured = new Map<string, Measured>();
  const skips = new Map<string, Record<string, string>>();
  const targets: Target[] = [];
  try {
    for (const spec of specs) {
      const target = await spec.create('ops');
      targets.push(target);
      measured.set(target.name, {});
      skips.set(target.name, { ...target.skips });
      await prepareOps(target, sizes);
      // Warm-up so the first target measured does not pay for JIT and connection setup alone.
      const warm = { ...sizes, ops: Math.ceil(sizes.ops / 4) };
      await runSave(target, warm, -1);
      await runGet(target, warm);
    }
    for (let r = 0; r < sizes.rounds; r += 1) {
      for (const step of OPS_STEPS) {
        for (const target of rotated(targets, r)) {
          if (!step.runs(target, sizes, r)) continue;
          const into = measured.get(target.name) ?? {};
          add(into, step.name, await step.run(target, sizes, r));
        }
      }
    }
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
  return { measured, skips };
}

/** Listing, counting and sweeping on one target, each on instances of its own. */
async function measureScans(spec: TargetSpec, sizes: Sizes, into: Measured): Promise<void> {
  const scanSizes =
    spec.backend === 'file' ? { ...sizes, queryN: sizes.fileN, sweepN: sizes.fileN } : sizes;
  const queried = await spec.create('query');
  const canSweep = queried.sweep !== undefined;
  try {
    const query = queried.query;
    if (query !== undefined) {
      await query.seed(makeDocs('q', scanSizes.queryN));
      for (let r = 0; r < sizes.rounds; r += 1) {
        for (const name of QUERY_WORKLOADS) {
          add(
            into,
            name,
            await runQuery(queried.name, query, scanSizes.queryN, sizes.queryOps, name),
          );
        }
      }
    }
  } finally {
    await queried.close();
  }
  if (!canSweep) return;
  for (let r = 0; r < sizes.sweepRounds; r += 1)
    add(into, 'sweep', await sweepRound(spec, scanSizes, r));
}

function skipReason(skips: Record<string, string>, name: WorkloadName): string {
  const family = name.startsWith('list') ? 'list' : name.startsWith('count') ? 'count' : name;
  return skips[name] ?? skips[family] ?? 'not supported';
}

/**
 * Runs every workload on every target, one target after another, and computes each
 * result's ratio to the raw driver of the same backend.
 */
export async function runAll(
  specs: readonly TargetSpec[],
  sizes: Sizes,
  log: (line: string) => void = () => {},
): Promise<WorkloadResult[]> {
  const results: WorkloadResult[] = [];
  const backends = [...new Set(specs.map((s) => s.backend))];
  const reported = sizes.scans ? WORKLOADS : OPS_STEPS.map((step) => step.name);
  for (const backend of backends) {
    const group = specs.filter((s) => s.backend === backend);
    let started = performance.now();
    const { measured, skips } = await measureOps(group, sizes);
    log(`  ${backend}: per-key workloads ${Math.round(performance.now() - started)} ms`);
    for (const spec of group) {
      started = performance.now();
      const own = measured.get(spec.name) ?? {};
      if (sizes.scans) await measureScans(spec, sizes, own);
      log(`  ${spec.name}: list, count and sweep ${Math.round(performance.now() - started)} ms`);
      const reasons = skips.get(spec.name) ?? {};
      for (const workload of reported) {
        const samples = own[workload];
        const base = { workload, target: spec.name, backend: spec.backend, kind: spec.kind };
        results.push(
          samples === undefined || samples.length === 0
            ? { ...base, skipped: skipReason(reasons, workload) }
            : { ...base, ...summarise(samples) },
        );
      }
    }
  }
  for (const result of results) {
    const raw = results.find(
      (r) => r.workload === result.workload && r.backend === result.backend && r.kind === 'raw',
    );
    if (result.opsPerSec !== undefined && raw?.opsPerSec !== undefined && result.opsPerSec > 0) {
      result.ratio = round(raw.opsPerSec / result.opsPerSec);
    }
  }
  return results;
}
