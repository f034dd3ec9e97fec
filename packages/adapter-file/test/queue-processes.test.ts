import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAdapter } from '../src/index.js';
import { randomNamespace, removeDir, tempDir } from './helpers.js';
import { exitOf, onLines, startChild } from './processes.js';

const JOBS = 500;
const WORKERS = 4;

describe('queue workers in several processes', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir('queue-procs');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it(`${WORKERS} worker processes drain ${JOBS} jobs, each processed exactly once`, async () => {
    const namespace = randomNamespace();
    const durability = 'fsync';
    const storage = createStorage(fileAdapter({ dir, namespace, durability, sweepIntervalMs: 0 }));
    const queue = storage.queue<number>('work');
    for (let i = 0; i < JOBS; i++) await queue.enqueue(i, { id: `job-${i}` });

    const seen: number[][] = [];
    const children = Array.from({ length: WORKERS }, () => {
      const child = startChild('queue-worker.mjs', [dir, namespace, 'work', durability]);
      onLines(child, (line) => seen.push(JSON.parse(line) as number[]));
      return child;
    });
    const results = await Promise.all(children.map(exitOf));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });

    const all = seen.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: JOBS }, (_, i) => i));
    expect(await queue.size()).toEqual({ ready: 0, delayed: 0, leased: 0, dead: 0 });
    await storage.close();
  }, 60_000);
});
