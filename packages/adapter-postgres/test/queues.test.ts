import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { postgresAdapter } from '../src/index.js';
import { useFixture } from './support/fixture.js';
import { SHARED_URL, withAdminClient } from './support/shared-server.js';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('./queue-worker.mjs', import.meta.url));
const fixture = useFixture();

describe('postgres queues', () => {
  it('a job row locked by another transaction is skipped by dequeue instead of waited for', async () => {
    const storage = fixture.open();
    const queue = storage.queue<string>('locked');
    await queue.enqueue('first', { id: 'a' });
    await queue.enqueue('second', { id: 'b' });
    await withAdminClient(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(
          `SELECT 1 FROM "${fixture.schema}".stowage_jobs WHERE queue = 'locked' AND id = 'a' FOR UPDATE`,
        );
        const job = await queue.dequeue();
        expect(job?.id).toBe('b');
        expect(await queue.dequeue()).toBeNull();
      } finally {
        await client.query('ROLLBACK');
      }
    });
    expect((await queue.dequeue())?.id).toBe('a');
  });

  it('a dequeue of several jobs returns them oldest first though RETURNING has no order', async () => {
    const adapter = postgresAdapter({
      connection: SHARED_URL,
      schema: fixture.schema,
      sweepIntervalMs: 0,
    });
    const queues = adapter.queues;
    if (!queues) throw new Error('the postgres adapter has no queue driver');
    await adapter.open?.({ clock: fixture.clock, timeoutMs: 5000 });
    try {
      const ctx = { now: 1000 };
      // Later availability for earlier ids, and ties broken by enqueue order.
      const jobs = Array.from({ length: 30 }, (_, n) => ({
        id: `j${n}`,
        payload: String(n),
        availableAt: 100 + Math.floor((29 - n) / 2),
        maxAttempts: 3,
      }));
      expect(await queues.enqueue('batch', jobs, ctx)).toBe(30);
      const leased = await queues.dequeue('batch', { visibleUntil: 5000, limit: 30 }, ctx);
      const expected = [...jobs]
        .map((job, seq) => ({ ...job, seq }))
        .sort((a, b) => a.availableAt - b.availableAt || a.seq - b.seq)
        .map((job) => job.id);
      expect(leased.map((job) => job.id)).toEqual(expected);
      expect(new Set(leased.map((job) => job.token)).size).toBe(30);
    } finally {
      await adapter.close();
    }
  });

  it('four worker processes drain 2,000 jobs with every job acked exactly once', async () => {
    const storage = fixture.open();
    const queue = storage.queue<{ n: number }>('drain');
    const total = 2000;
    for (let start = 0; start < total; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          queue.enqueue({ n: start + i }, { id: `job-${start + i}` }),
        ),
      );
    }
    const workers = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(process.execPath, [WORKER, SHARED_URL, fixture.schema, 'drain'], { timeout: 25_000 }),
      ),
    );
    const seen = workers.flatMap(({ stdout }) => JSON.parse(stdout) as number[]);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(await queue.size()).toEqual({ ready: 0, delayed: 0, leased: 0, dead: 0 });
  }, 30_000);
});
