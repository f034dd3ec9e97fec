import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAdapter } from '../src/index.js';
import { randomNamespace, removeDir, tempDir } from './helpers.js';
import { exitOf, startChild } from './processes.js';

describe('several processes on one folder', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir('multi');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('4 processes x 50 concurrent update() calls on one session lose no increment', async () => {
    const namespace = randomNamespace();
    const children = Array.from({ length: 4 }, () =>
      startChild('update-worker.mjs', [dir, namespace, 'counter', '50']),
    );
    const results = await Promise.all(children.map(exitOf));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const storage = createStorage(fileAdapter({ dir, namespace, sweepIntervalMs: 0 }));
    const session = await storage.sessions.get<{ n: number }>('counter');
    expect(session?.data.n).toBe(200);
    expect(session?.version).toBe(200);
    await storage.close();
  }, 90_000);
});
