import { performance } from 'node:perf_hooks';
import { makeDoc, makeDocs, makeMessage, mixedPlan, STATES, TENANTS } from './data.js';
import type { Sizes } from './sizes.js';
import type { QueryCalls, Target } from './types.js';

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

/** A time budget: stop after `budgetMs` once `minOps` calls are done. */
export type Budget = Pick<Sizes, 'budgetMs' | 'minOps'>;

/**
 * Whether a round may start another call: below `count`, and within the mode's time budget
 * once `minOps` calls are done, so a slow target cannot stretch a quick run.
 */
function mayContinue(done: number, count: number, sizes: Budget | undefined, start: number) {
  if (done >= count) return false;
  if (sizes?.budgetMs === undefined || done < sizes.minOps) return true;
  return performance.now() - start < sizes.budgetMs;
}

async function sequential(
  count: number,
  op: (i: number) => Promise<unknown>,
  budget?: Budget,
): Promise<RoundSample> {
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; mayContinue(i, count, budget, start); i += 1) {
    latencies.push(await timed(() => op(i)));
  }
  return { latencies, wallMs: performance.now() - start };
}

/** Names the sessions of the save/get/mixed working set. */
export const WORKING_SET = 'w';

/** Stores the working set that save, get and mixed run over (not timed). */
export async function prepareOps(target: Target, sizes: Sizes): Promise<void> {
  const docs = [...makeDocs(WORKING_SET, sizes.keys), ...makeDocs('b', sizes.batch)];
  if (target.saveMany !== undefined) {
    // Core accepts at most 1000 sessions per batch.
    for (let i = 0; i < docs.length; i += 1000) await target.saveMany(docs.slice(i, i + 1000));
    return;
  }
  for (const doc of docs) await target.save(doc);
}

/** Sequential saves over the working set (updates of existing sessions). */
export function runSave(target: Target, sizes: Sizes, round: number): Promise<RoundSample> {
  return sequential(
    sizes.ops,
    (i) => {
      const doc = makeDoc(WORKING_SET, i % sizes.keys);
      return target.save({ ...doc, data: { ...(doc.data as object), round } });
    },
    sizes,
  );
}

/** Sequential gets over the working set. */
export function runGet(target: Target, sizes: Sizes): Promise<RoundSample> {
  return sequential(
    sizes.ops,
    async (i) => {
      const found = await target.get(`${WORKING_SET}-${i % sizes.keys}`);
      if (found === null || found === undefined)
        throw new Error(`${target.name}: lost session ${i}`);
    },
    sizes,
  );
}

/** 80% gets and 20% saves, a fixed sequence, with `concurrency` calls in flight. */
export async function runMixed(target: Target, sizes: Sizes): Promise<RoundSample> {
  const plan = mixedPlan(sizes.mixedOps, sizes.keys);
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (mayContinue(next, plan.length, sizes, start)) {
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
  await Promise.all(Array.from({ length: sizes.concurrency }, worker));
  return { latencies, wallMs: performance.now() - start };
}

/** Appends in one conversation of a target: peers that rewrite the whole session get their own length. */
export function conversationLength(target: Pick<Target, 'kind'>, sizes: Sizes): number {
  return target.kind === 'peer' ? sizes.peerConversation : sizes.conversation;
}

/** Appends to one fresh session, one message per call; compares the last 100 calls with the first 100. */
export async function runConversation(
  target: Target,
  sizes: Sizes,
  round: number,
): Promise<RoundSample> {
  const doc = makeDoc(`conversation-${round}`, 0);
  await target.save(doc);
  const appends = conversationLength(target, sizes);
  const budget = { budgetMs: sizes.conversationBudgetMs, minOps: Math.ceil(appends / 2) };
  const sample = await sequential(appends, (i) => target.append(doc.id, makeMessage(i)), budget);
  const made = sample.latencies.length;
  const edge = Math.max(1, Math.min(100, Math.floor(made / 2)));
  const avg = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const first = avg(sample.latencies.slice(0, edge));
  const last = avg(sample.latencies.slice(-edge));
  return {
    ...sample,
    extra: {
      appends: made,
      edge,
      totalMs: sample.wallMs,
      firstMs: first,
      lastMs: last,
      flatness: last / first,
    },
  };
}

/** Batch rounds share the mode's budget but always make at least one call. */
function batchBudget(sizes: Sizes): Budget {
  return { budgetMs: sizes.budgetMs, minOps: 1 };
}

/** Saves `batch` sessions per call. */
export function runBatchSave(target: Target, sizes: Sizes, round: number): Promise<RoundSample> {
  const saveMany = target.saveMany;
  if (saveMany === undefined) throw new Error(`${target.name} has no batch save`);
  const docs = makeDocs('b', sizes.batch).map((doc) => ({
    ...doc,
    data: { ...(doc.data as object), round },
  }));
  return sequential(sizes.batchRepeats, () => saveMany.call(target, docs), batchBudget(sizes));
}

/** Reads `batch` sessions per call. */
export function runBatchGet(target: Target, sizes: Sizes): Promise<RoundSample> {
  const getMany = target.getMany;
  if (getMany === undefined) throw new Error(`${target.name} has no batch get`);
  const ids = makeDocs('b', sizes.batch).map((doc) => doc.id);
  return sequential(
    sizes.batchRepeats,
    async () => {
      const found = await getMany.call(target, ids);
      if (found.some((item) => item === null || item === undefined)) {
        throw new Error(`${target.name}: batch get lost sessions`);
      }
    },
    batchBudget(sizes),
  );
}

/** The listing and counting workloads, in report order. */
export const QUERY_WORKLOADS = ['list-state', 'list-label', 'count-state', 'count-label'] as const;

/** One listing or counting workload. */
export type QueryWorkload = (typeof QUERY_WORKLOADS)[number];

/**
 * Runs `calls` calls of one listing or counting workload over `n` sessions stored by `seed`
 * (documents `0 .. n - 1`), checking every result; `label` names the target in errors.
 */
export function runQuery(
  label: string,
  query: QueryCalls,
  n: number,
  calls: number,
  name: QueryWorkload,
  budget?: Budget,
): Promise<RoundSample> {
  return sequential(
    calls,
    async (i) => {
      const state = STATES[i % STATES.length] ?? 'active';
      const tenant = `t${i % TENANTS}`;
      const expected =
        name === 'list-state' || name === 'list-label'
          ? Math.min(100, expectedCount(n, name, i))
          : expectedCount(n, name, i);
      const seen =
        name === 'list-state'
          ? await query.listByState(state)
          : name === 'list-label'
            ? await query.listByLabel('tenant', tenant)
            : name === 'count-state'
              ? await query.countByState(state)
              : await query.countByLabel('tenant', tenant);
      if (seen !== expected) {
        throw new Error(`${label} ${name}: expected ${expected}, got ${seen}`);
      }
    },
    budget,
  );
}

/** How many of `n` generated sessions match call `i` of a query workload. */
function expectedCount(n: number, name: string, i: number): number {
  const modulus = name.endsWith('state') ? STATES.length : TENANTS;
  const residue = i % modulus;
  return Math.floor(n / modulus) + (residue < n % modulus ? 1 : 0);
}
