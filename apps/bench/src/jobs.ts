import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { postgresAdapter } from '@stowage/adapter-postgres';
import { redisAdapter } from '@stowage/adapter-redis';
import { createStorage, type Storage } from '@stowage/core';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { BenchEnv } from './env.js';
import type { MachineInfo } from './machine.js';
import type { Mode } from './sizes.js';

/** Marker lines in README.md that enclose the generated jobs results. */
export const JOBS_START_MARKER = '<!-- bench:jobs:start -->';
/** See `JOBS_START_MARKER`. */
export const JOBS_END_MARKER = '<!-- bench:jobs:end -->';

/** Jobs per round and worker loops per target, by mode: small in quick, larger in full. */
export const JOB_SIZES: Record<Mode, { jobs: number; workers: number; rounds: number }> = {
  tiny: { jobs: 50, workers: 2, rounds: 1 },
  quick: { jobs: 300, workers: 4, rounds: 2 },
  full: { jobs: 5000, workers: 4, rounds: 3 },
  scale: { jobs: 5000, workers: 4, rounds: 3 },
  keys: { jobs: 5000, workers: 4, rounds: 3 },
};

/** Jobs per enqueue call, for both Stowage and the peers' bulk inserts. */
const ENQUEUE_CHUNK = 1000;

/** One queue library on one backend, able to push `jobs` jobs through `workers` loops. */
interface JobsTarget {
  readonly name: string;
  readonly backend: 'postgres' | 'redis';
  readonly kind: 'stowage' | 'peer';
  /** Enqueues `jobs` jobs on the queue `queue`, then dequeues and acks them all. */
  run(queue: string, jobs: number, workers: number): Promise<void>;
  close(): Promise<void>;
}

/** Jobs per second of one target: the best of its rounds (the least disturbed by noise). */
export interface JobsResult {
  name: string;
  backend: 'postgres' | 'redis';
  kind: 'stowage' | 'peer';
  jobs: number;
  workers: number;
  jobsPerSecond: number;
}

const chunks = (total: number): number[][] => {
  const out: number[][] = [];
  for (let start = 0; start < total; start += ENQUEUE_CHUNK) {
    out.push(Array.from({ length: Math.min(ENQUEUE_CHUNK, total - start) }, (_, k) => start + k));
  }
  return out;
};

/** Stowage: enqueueMany in chunks, then `workers` loops of dequeue + ack until none is left. */
function stowageTarget(name: string, backend: 'postgres' | 'redis', storage: Storage): JobsTarget {
  return {
    name,
    backend,
    kind: 'stowage',
    async run(queueName, jobs, workers) {
      const queue = storage.queue<{ n: number }>(queueName);
      for (const chunk of chunks(jobs)) {
        await queue.enqueueMany(chunk.map((n) => ({ payload: { n } })));
      }
      const loop = async () => {
        for (let job = await queue.dequeue(); job; job = await queue.dequeue()) await job.ack();
      };
      await Promise.all(Array.from({ length: workers }, loop));
    },
    close: () => storage.close(),
  };
}

/**
 * pg-boss with its manual API, the same shape as Stowage's loop: bulk `insert`, then `workers`
 * loops of `fetch` (one job) + `complete`. Its `work()` loop polls every half second at
 * best, which would measure the polling interval rather than the queue.
 */
async function pgBossTarget(env: BenchEnv, schema: string): Promise<JobsTarget> {
  const boss = new PgBoss({
    connectionString: env.postgresUrl,
    schema,
    supervise: false,
    schedule: false,
    migrate: true,
    max: 8,
  });
  boss.on('error', () => {
    // Failures surface as rejected calls in the run, which stop the benchmark.
  });
  await boss.start();
  return {
    name: 'pg-boss',
    backend: 'postgres',
    kind: 'peer',
    async run(queue, jobs, workers) {
      await boss.createQueue(queue);
      for (const chunk of chunks(jobs)) {
        await boss.insert(chunk.map((n) => ({ name: queue, data: { n } })));
      }
      const loop = async () => {
        for (;;) {
          const [job] = await boss.fetch<{ n: number }>(queue);
          if (!job) return;
          await boss.complete(queue, job.id);
        }
      };
      await Promise.all(Array.from({ length: workers }, loop));
    },
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

/**
 * BullMQ as its documentation runs it: `addBulk`, then one Worker with `concurrency` set to
 * the loop count, jobs removed on completion (Stowage's ack deletes too). The run ends when
 * the worker has completed every job.
 */
function bullTarget(env: BenchEnv): JobsTarget {
  const url = new URL(env.redisUrl);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 6379),
    maxRetriesPerRequest: null,
  };
  const prefix = `${env.redisPrefix}bull`;
  const opened: { close(): Promise<void> }[] = [];
  return {
    name: 'bullmq',
    backend: 'redis',
    kind: 'peer',
    async run(name, jobs, workers) {
      const queue = new BullQueue(name, { connection, prefix });
      opened.push(queue);
      for (const chunk of chunks(jobs)) {
        await queue.addBulk(
          chunk.map((n) => ({ name: 'job', data: { n }, opts: { removeOnComplete: true } })),
        );
      }
      let completed = 0;
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const worker = new BullWorker(name, async () => undefined, {
        connection,
        prefix,
        concurrency: workers,
      });
      opened.push(worker);
      worker.on('completed', () => {
        completed += 1;
        if (completed === jobs) finish();
      });
      await done;
      await worker.close();
      await queue.obliterate({ force: true });
    },
    async close() {
      for (const item of opened) await item.close();
    },
  };
}

/** Jobs/s of Stowage and its peer on one backend, and their ratio, as a table row. */
function ratioLine(results: readonly JobsResult[], backend: 'postgres' | 'redis'): string {
  const ours = results.find((r) => r.backend === backend && r.kind === 'stowage');
  const peer = results.find((r) => r.backend === backend && r.kind === 'peer');
  const rate = (r: JobsResult | undefined) => (r ? r.jobsPerSecond.toFixed(0) : 'n/a');
  const ratio = ours && peer ? `${(ours.jobsPerSecond / peer.jobsPerSecond).toFixed(2)}x` : 'n/a';
  return `| ${backend} | ${ours?.name ?? 'n/a'} | ${rate(ours)} | ${peer?.name ?? 'n/a'} | ${rate(peer)} | ${ratio} |`;
}

/**
 * The markdown of a jobs run: one row per backend with Stowage's and its peer's jobs/s and the
 * ratio Stowage ÷ peer (above 1: Stowage moves more jobs per second). With `run`, a header
 * names the machine, its load when the jobs part started, and the sizes.
 */
export function jobsReport(
  results: readonly JobsResult[],
  run?: { machine: MachineInfo; mode: Mode },
): string {
  const size = results[0];
  const jobs = size?.jobs ?? 0;
  const workers = size?.workers ?? 0;
  const header = run
    ? [
        `Jobs run ${run.machine.startedAt} (mode \`${run.mode}\`): ${run.machine.cpu}, ${run.machine.cores} cores, Node ${run.machine.node}, load average when the jobs part started ${run.machine.loadAverage.join(' / ')}.`,
        `Each round enqueues ${jobs} jobs in batches of up to ${ENQUEUE_CHUNK}, then ${workers} worker loops in one process take and acknowledge them until none is left; jobs/s is the best of ${JOB_SIZES[run.mode].rounds} rounds, each on a fresh queue.`,
        '',
      ]
    : [
        `Jobs per second (enqueue + dequeue + ack of ${jobs} jobs, ${workers} worker loops in one process; best round):`,
        '',
      ];
  return [
    ...header,
    '| backend | Stowage | jobs/s | peer | jobs/s | Stowage ÷ peer |',
    '| --- | --- | ---: | --- | ---: | ---: |',
    ratioLine(results, 'postgres'),
    ratioLine(results, 'redis'),
  ].join('\n');
}

/**
 * Runs the jobs/s comparison: Stowage on PostgreSQL against pg-boss on the same server and
 * Stowage on Redis against BullMQ on the same Redis, in one run, each round on a fresh queue
 * name. Writes results/jobs-<mode>.json and returns the results. pg-boss gets a schema of its
 * own (dropped afterwards); every Redis key carries the run's prefix, which `env.cleanup` deletes.
 */
export async function runJobsBench(
  env: BenchEnv,
  mode: Mode,
  resultsDir: string,
  log: (line: string) => void,
): Promise<JobsResult[]> {
  const { jobs, workers, rounds } = JOB_SIZES[mode];
  const bossSchema = `${env.schema}_boss`;
  const factories: (() => Promise<JobsTarget>)[] = [
    async () =>
      stowageTarget(
        'stowage-postgres',
        'postgres',
        createStorage(
          postgresAdapter({
            connection: env.postgresUrl,
            schema: env.schema,
            namespace: 'jobs',
            sweepIntervalMs: 0,
          }),
        ),
      ),
    () => pgBossTarget(env, bossSchema),
    async () =>
      stowageTarget(
        'stowage-redis',
        'redis',
        createStorage(redisAdapter({ url: env.redisUrl, namespace: `${env.redisPrefix}jobs` })),
      ),
    async () => bullTarget(env),
  ];
  const results: JobsResult[] = [];
  try {
    for (const factory of factories) {
      const target = await factory();
      try {
        let bestMs = Number.POSITIVE_INFINITY;
        for (let round = 0; round < rounds; round++) {
          const start = performance.now();
          await target.run(`jobs_${env.runId}_${round}`, jobs, workers);
          bestMs = Math.min(bestMs, performance.now() - start);
        }
        const jobsPerSecond = (jobs * 1000) / bestMs;
        log(`  jobs ${target.name}: ${jobsPerSecond.toFixed(0)} jobs/s`);
        const { name, backend, kind } = target;
        results.push({ name, backend, kind, jobs, workers, jobsPerSecond });
      } finally {
        await target.close();
      }
    }
  } finally {
    const admin = new pg.Client({ connectionString: env.postgresUrl });
    await admin.connect();
    try {
      await admin.query(`DROP SCHEMA IF EXISTS ${bossSchema} CASCADE`);
    } finally {
      await admin.end();
    }
  }
  await writeFile(
    join(resultsDir, `jobs-${mode}.json`),
    `${JSON.stringify({ mode, results }, null, 2)}\n`,
  );
  log(jobsReport(results));
  return results;
}
