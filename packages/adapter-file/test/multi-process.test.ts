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

  it("4 processes x 50 appends to one session keep every append whole and in each writer's order", async () => {
    const namespace = randomNamespace();
    const storage = createStorage(fileAdapter({ dir, namespace, sweepIntervalMs: 0 }));
    await storage.sessions.save({ id: 'chat', data: {} });
    const tags = ['a', 'b', 'c', 'd'];
    const children = tags.map((tag) =>
      startChild('append-worker.mjs', [dir, namespace, 'chat', tag, '50']),
    );
    const results = await Promise.all(children.map(exitOf));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const messages = await storage.messages.range<{ tag: string; i: number; half: number }>(
      'chat',
      0,
      -1,
    );
    expect(messages).toHaveLength(400);
    expect(await storage.messages.length('chat')).toBe(400);
    const next = new Map<string, number>();
    for (let k = 0; k < messages.length; k += 2) {
      const [first, second] = [messages[k], messages[k + 1]];
      expect(second).toEqual({ ...first, half: 1 });
      expect(first?.i).toBe(next.get(first?.tag ?? '') ?? 0);
      next.set(first?.tag ?? '', (first?.i ?? 0) + 1);
    }
    expect([...next.values()]).toEqual([50, 50, 50, 50]);
    await storage.close();
  }, 90_000);
});
