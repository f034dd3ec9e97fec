import { createStorage } from '@stowage/core';
import { afterAll, expect, test } from 'vitest';
import { sqliteAdapter } from '../src/index.js';
import { tempDir } from './helpers.js';
import { finished, startScript } from './processes.js';

const tmp = tempDir('queue-processes');
afterAll(() => tmp.cleanup());

const JOBS = 2000;
const WORKERS = 4;

test('4 worker processes drain 2,000 jobs with every job processed exactly once', async () => {
  const path = tmp.path('queue.db');
  const storage = createStorage(sqliteAdapter({ path, namespace: 'drain', sweepIntervalMs: 0 }));
  const queue = storage.queue<number>('work');
  for (let i = 0; i < JOBS; i++) await queue.enqueue(i, { id: `job-${i}` });
  expect(await queue.size()).toMatchObject({ ready: JOBS });

  const outputs = await Promise.all(
    Array.from({ length: WORKERS }, () =>
      finished(startScript('./queue-worker.mjs', [path, 'drain', 'work'])),
    ),
  );
  const processed = outputs.flatMap((out) => out.split('\n').filter((line) => line !== ''));
  expect(processed).toHaveLength(JOBS);
  expect(new Set(processed).size).toBe(JOBS);
  expect(await queue.size()).toEqual({ ready: 0, delayed: 0, leased: 0, dead: 0 });
  await storage.close();
}, 30_000);
