import { performance } from 'node:perf_hooks';
import { makeDoc, makeDocs, makeMessage, mixedPlan, STATES, TENANTS } from './data.js';
import type { Sizes } from './sizes.js';
import type { Target } from './types.js';

/** Names of every workload, in report order. */
export const WORKLOADS = [
  'save',
  'get',
  'mixed',
  'conversation',
  'batch-save',
  'batch-get',
  'list-state',
  'list-label',
  'count-state',
  'count-label',
  'sweep',
] as const;

/** One workload name. */
export type WorkloadName = (typeof WORKLOADS)[number];

/** What one round of one workload measured: per-call latencies and wall time, in ms. */
export interface RoundSample {
  latencies: number[];
  wallMs: number;
  /** Extra per-workload numbers (conversation flatness, sweep stall). */
  extra?: Record<string, number>;
}

/** Times `fn` once; returns its latency in ms. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function sequential(
  count: number,
  op: (i: number) => Promise<unknown>,
): Promise<RoundSample> {
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i += 1) latencies.push(await timed(() => op(i)));
  return { latencies, wallMs: performance.now() - start };
}

/** Names the sessions of the save/get/mixed working set. */
export const WORKING_SET = 'w';

/** Stores the working set that save, get and mixed run over (not timed). */
export async function prepareOps(target: Target, sizes: Sizes): Promise<void> {
  for (const doc of makeDocs(WORKING_SET, sizes.keys)) await target.save(doc);
  for (const doc of makeDocs('b', sizes.batch)) await target.save(doc);
}

/** Sequential saves over the working set (updates of existing sessions). */
export function runSave(target: Target, sizes: Sizes, round: number): Promise<RoundSample> {
  return sequential(sizes.ops, (i) => {
    const doc = makeDoc(WORKING_SET, i % sizes.keys);
    return target.save({ ...doc, data: { ...(doc.data as object), round } });
  });
}

/** Sequential gets over the working set. */
export function runGet(target: Target, sizes: Sizes): Promise<RoundSample> {
  return sequential(sizes.ops, async (i) => {
    const found = await target.get(`${WORKING_SET}-${i % sizes.keys}`);
    if (found === null || found === undefined) throw new Error(`${target.name}: lost session ${i}`);
  });
}

/** 80% gets and 20% saves, a fixed sequence, with `concurrency` calls in flight. */
export async function runMixed(target: Target, sizes: Sizes): Promise<RoundSample> {
  const plan = mixedPlan(sizes.mixedOps, sizes.keys);
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const step = plan[next];
      next += 1;
      if (step === undefined) return;
      latencies.push(
        await timed(() =>
          step.save
            ? target.save(makeDoc(WORKING_SET, step.key))
            : target.get(`${WORKING_SET}-${step.key}`),
        ),
      );
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: sizes.concurrency }, worker));
  return { latencies, wallMs: performance.now() - start };
}

/** Appends to one fresh session, one message per call; compares the last 100 with the first 100. */
export async function runConversation(
  target: Target,
  sizes: Sizes,
  round: number,
): Promise<RoundSample> {
  const doc = makeDoc(`conversation-${round}`, 0);
  await target.save(doc);
  const sample = await sequential(sizes.conversation, (i) => target.append(doc.id, makeMessage(i)));
  const edge = Math.max(1, Math.min(100, Math.floor(sizes.conversation / 2)));
  const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const first = avg(sample.latencies.slice(0, edge));
  const last = avg(sample.latencies.slice(-edge));
  return {
    ...sample,
    extra: { totalMs: sample.wallMs, firstMs: first, lastMs: last, flatness: last / first },
  };
}

/** Saves `batch` sessions per call. */
export function runBatchSave(target: Target, sizes: Sizes, round: number): Promise<RoundSample> {
  const saveMany = target.saveMany;
  if (saveMany === undefined) throw new Error(`${target.name} has no batch save`);
  const docs = makeDocs('b', sizes.batch).map((doc) => ({
    ...doc,
    data: { ...(doc.data as object), round },
  }));
  return sequential(sizes.batchRepeats, () => saveMany.call(target, docs));
}

/** Reads `batch` sessions per call. */
export function runBatchGet(target: Target, sizes: Sizes): Promise<RoundSample> {
  const getMany = target.getMany;
  if (getMany === undefined) throw new Error(`${target.name} has no batch get`);
  const ids = makeDocs('b', sizes.batch).map((doc) => doc.id);
  return sequential(sizes.batchRepeats, async () => {
    const found = await getMany.call(target, ids);
    if (found.some((item) => item === null || item === undefined)) {
      throw new Error(`${target.name}: batch get lost sessions`);
    }
  });
}

/** Runs one listing or counting workload; `seed` must have stored `queryN` sessions. */
export function runQuery(
  target: Target,
  sizes: Sizes,
  name: 'list-state' | 'list-label' | 'count-state' | 'count-label',
): Promise<RoundSample> {
  const query = target.query;
  if (query === undefined) throw new Error(`${target.name} cannot query`);
  return sequential(sizes.queryOps, async (i) => {
    const state = STATES[i % STATES.length] ?? 'active';
    const tenant = `t${i % TENANTS}`;
    const expected =
      name === 'list-state' || name === 'list-label'
        ? Math.min(100, expectedCount(sizes.queryN, name, i))
        : expectedCount(sizes.queryN, name, i);
    const seen =
      name === 'list-state'
        ? await query.listByState(state)
        : name === 'list-label'
          ? await query.listByLabel('tenant', tenant)
          : name === 'count-state'
            ? await query.countByState(state)
            : await query.countByLabel('tenant', tenant);
    if (seen !== expected) {
      throw new Error(`${target.name} ${name}: expected ${expected}, got ${seen}`);
    }
  });
}

/** How many of `n` generated sessions match call `i` of a query workload. */
function expectedCount(n: number, name: string, i: number): number {
  const modulus = name.endsWith('state') ? STATES.length : TENANTS;
  const residue = i % modulus;
  return Math.floor(n / modulus) + (residue < n % modulus ? 1 : 0);
}
