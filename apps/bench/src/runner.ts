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

async function measureTarget(
  spec: TargetSpec,
  sizes: Sizes,
  log: (line: string) => void,
): Promise<{ measured: Measured; skips: Record<string, string> }> {
  const measured: Measured = {};
  const phases: string[] = [];
  let phaseStart = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases.push(`${name} ${Math.round(now - phaseStart)}`);
    phaseStart = now;
  };
  const scanSizes =
    spec.backend === 'file' ? { ...sizes, queryN: sizes.fileN, sweepN: sizes.fileN } : sizes;
  const ops: Target = await spec.create('ops');
  const skips = { ...ops.skips };
  try {
    await prepareOps(ops, sizes);
    // Warm-up so the first target measured does not pay for JIT and connection setup alone.
    const warm = { ...sizes, ops: Math.ceil(sizes.ops / 4) };
    await runSave(ops, warm, -1);
    await runGet(ops, warm);
    for (let r = 0; r < sizes.rounds; r += 1) {
      add(measured, 'save', await runSave(ops, sizes, r));
      add(measured, 'get', await runGet(ops, sizes));
      add(measured, 'mixed', await runMixed(ops, sizes));
      if (r < sizes.conversationRounds) {
        add(measured, 'conversation', await runConversation(ops, sizes, r));
      }
      if (ops.saveMany !== undefined && ops.getMany !== undefined) {
        add(measured, 'batch-save', await runBatchSave(ops, sizes, r));
        add(measured, 'batch-get', await runBatchGet(ops, sizes));
      }
    }
  } finally {
    await ops.close();
  }
  phase('ops');
  const queried = await spec.create('query');
  try {
    const query = queried.query;
    if (query !== undefined) {
      await query.seed(makeDocs('q', scanSizes.queryN));
      for (let r = 0; r < sizes.rounds; r += 1) {
        for (const name of QUERY_WORKLOADS) {
          add(
            measured,
            name,
            await runQuery(queried.name, query, scanSizes.queryN, sizes.queryOps, name),
          );
        }
      }
    }
  } finally {
    await queried.close();
  }
  phase('query');
  if (skips.sweep === undefined) {
    for (let r = 0; r < sizes.sweepRounds; r += 1)
      add(measured, 'sweep', await sweepRound(spec, scanSizes, r));
  }
  phase('sweep');
  log(`  ${spec.name}: ${phases.join(' ms, ')} ms`);
  return { measured, skips };
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
  for (const spec of specs) {
    const started = performance.now();
    const { measured, skips } = await measureTarget(spec, sizes, log);
    for (const workload of WORKLOADS) {
      const samples = measured[workload];
      const base = { workload, target: spec.name, backend: spec.backend, kind: spec.kind };
      results.push(
        samples === undefined || samples.length === 0
          ? { ...base, skipped: skipReason(skips, workload) }
          : { ...base, ...summarise(samples) },
      );
    }
    log(`  ${spec.name}: total ${Math.round(performance.now() - started)} ms`);
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
