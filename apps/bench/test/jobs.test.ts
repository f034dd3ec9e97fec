import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type BenchEnv, createBenchEnv } from '../src/env.js';
import { JOB_SIZES, jobsReport, runJobsBench } from '../src/jobs.js';
import { machineInfo } from '../src/machine.js';

let env: BenchEnv | undefined;
let dir: string | undefined;

afterAll(async () => {
  await env?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('jobs/s benchmark on tiny sizes', () => {
  it('measures Stowage and its peer on PostgreSQL and Redis, then leaves no queue behind', async () => {
    env = await createBenchEnv();
    dir = await mkdtemp(join(tmpdir(), 'stowage-bench-jobs-'));
    const lines: string[] = [];
    const results = await runJobsBench(env, 'tiny', dir, (line) => lines.push(line));

    expect(results.map((r) => r.name)).toEqual([
      'stowage-postgres',
      'pg-boss',
      'stowage-redis',
      'bullmq',
    ]);
    for (const result of results) {
      expect(result.jobs).toBe(JOB_SIZES.tiny.jobs);
      expect(result.jobsPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(result.jobsPerSecond)).toBe(true);
    }
    const saved = JSON.parse(await readFile(join(dir, 'jobs-tiny.json'), 'utf8'));
    expect(saved.results).toEqual(results);
    const report = jobsReport(results, { machine: machineInfo(), mode: 'tiny' });
    expect(report).toMatch(
      /\| postgres \| stowage-postgres \| \d+ \| pg-boss \| \d+ \| \d+\.\d\dx \|/,
    );
    expect(report).toMatch(/\| redis \| stowage-redis \| \d+ \| bullmq \| \d+ \| \d+\.\d\dx \|/);
    expect(report).toMatch(/^Jobs run .*load average when the jobs part started/);
    const [postgres] = results;
    const ratio = (postgres?.jobsPerSecond ?? 0) / (results[1]?.jobsPerSecond ?? 1);
    expect(report).toContain(`| ${ratio.toFixed(2)}x |`);

    // Every job was consumed: Stowage's queues are empty, BullMQ's queues were obliterated.
    const redis = new Redis(env.redisUrl);
    const bullKeys: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.redisPrefix}bull*`);
      bullKeys.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
    expect(bullKeys).toEqual([]);
    const admin = new pg.Client({ connectionString: env.postgresUrl });
    await admin.connect();
    const boss = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      `${env.schema}_boss`,
    ]);
    const left = await admin.query(`SELECT count(*)::int AS n FROM ${env.schema}.jobs_jobs`);
    await admin.end();
    expect(boss.rowCount).toBe(0);
    expect(left.rows[0].n).toBe(0);
  }, 120_000);
});
