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
import type { Mode } from './sizes.js';

/** Jobs per round and worker loops per target, by mode: small in quick, larger in full. */
export const JOB_SIZES: Record<Mode, { jobs: number; workers: number; rounds: number }> = {
  tiny: { jobs: 50, workers: 2, rounds: 1 },
  quick: { jobs: 300, workers: 4, rounds: 2 },
  full: { jobs: 5000, workers: 4, rounds: 3 },
  scale: { jobs: 5000, workers: 4, rounds: 3 },
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

/** Ratio Stowage ÷ peer on one backend: above 1 means Stowage moves more jobs per second. */
function ratioLine(results: JobsResult[], backend: 'postgres' | 'redis'): string {
  const ours = results.find((r) => r.backend === backend && r.kind === 'stowage');
  const peer = results.find((r) => r.backend === backend && r.kind === 'peer');
  if (!ours || !peer) return `| ${backend} | n/a | n/a | n/a |`;
  const ratio = ours.jobsPerSecond / peer.jobsPerSecond;
  return `| ${backend} | ${ours.name} ${ours.jobsPerSecond.toFixed(0)} | ${peer.name} ${peer.jobsPerSecond.toFixed(0)} | ${ratio.toFixed(2)} |`;
}

/** The markdown table of a jobs run. */
export function jobsReport(results: JobsResult[]): string {
  const size = results[0];
  return [
    `Jobs per second (enqueue + dequeue + ack of ${size?.jobs ?? 0} jobs, ${size?.workers ?? 0} worker loops in one process; best round):`,
    '',
    '| backend | Stowage jobs/s | peer jobs/s | Stowage ÷ peer |',
    '| --- | --- | --- | --- |',
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
