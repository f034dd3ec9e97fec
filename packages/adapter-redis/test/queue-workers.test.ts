import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createStorage } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { dropNamespace, randomNamespace, rawClient, STANDALONE_URL } from './support/backend.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const worker = resolve(here, 'fixtures/queue-worker.mjs');
const JOBS = 2000;
const WORKERS = 4;

const namespace = randomNamespace('workers');
const raw = rawClient('standalone');

afterAll(async () => {
  await dropNamespace(raw, namespace);
  await raw.quit();
});

describe('queue across processes', () => {
  it('4 worker processes drain 2,000 jobs with every job acknowledged exactly once', async () => {
    expect(existsSync(resolve(here, '../dist/index.js')), 'build the package first').toBe(true);
    const storage = createStorage({ adapter: redisAdapter({ url: STANDALONE_URL, namespace }) });
    const queue = storage.queue('work');
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += 100) {
      const batch = Array.from({ length: 100 }, (_, k) => queue.enqueue({ n: i + k }));
      ids.push(...(await Promise.all(batch)));
    }

    const outputs = await Promise.all(
      Array.from({ length: WORKERS }, () =>
        run(process.execPath, [worker, STANDALONE_URL, namespace, 'work'], { timeout: 30_000 }),
      ),
    );
    const processed = outputs.flatMap(({ stdout }) => stdout.split('\n').filter(Boolean));

    expect(processed).toHaveLength(JOBS);
    expect(new Set(processed)).toEqual(new Set(ids));
    // More than one process took part, so the exactly-once result says something about leases.
    expect(outputs.filter(({ stdout }) => stdout.length > 0).length).toBeGreaterThan(1);
    expect(await queue.size()).toEqual({ ready: 0, delayed: 0, leased: 0, dead: 0 });
    await storage.close();
  }, 60_000);
});
