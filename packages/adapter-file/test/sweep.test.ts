import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, manualClock } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAdapter } from '../src/index.js';
import { removeDir, tempDir } from './helpers.js';

describe('sweeping', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir('sweep');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('removes expired sessions with their logs and expired kv files, in bounded batches', async () => {
    const clock = manualClock();
    const storage = createStorage({
      adapter: fileAdapter({ dir, namespace: 'ttl', sweepIntervalMs: 0 }),
      clock,
    });
    for (let i = 0; i < 5; i++) {
      await storage.sessions.save({ id: `s${i}`, data: i }, { ttl: 1000 });
      await storage.messages.append(`s${i}`, [{ i }]);
    }
    await storage.sessions.save({ id: 'stays', data: 1 });
    await storage.kv.set('gone', 1, { ttl: 1000 });
    clock.advance(1000);
    const root = join(dir, 'ttl');
    expect(await storage.sweep({ limit: 2 })).toBe(2);
    expect(await readdir(join(root, 'sessions'))).toHaveLength(4);
    expect(await storage.sweep({ limit: 100 })).toBe(4);
    expect((await readdir(join(root, 'sessions'))).length).toBe(1);
    expect(await readdir(join(root, 'messages'))).toEqual([]);
    expect(await readdir(join(root, 'kv'))).toEqual([]);
    expect((await storage.sessions.get('stays'))?.data).toBe(1);
    await storage.close();
  });

  it('removes temporary files of crashed writers once they are old, and only then', async () => {
    const storage = createStorage(
      fileAdapter({ dir, namespace: 'tmp', sweepIntervalMs: 0, staleLockMs: 1000 }),
    );
    await storage.kv.set('k', 1);
    const kvDir = join(dir, 'tmp', 'kv');
    await writeFile(join(kvDir, '.tmp-old'), 'half a write');
    await writeFile(join(kvDir, '.tmp-new'), 'a write in progress');
    await mkdir(join(dir, 'tmp', 'messages', '.tmp-tree'));
    const queuesDir = join(dir, 'tmp', 'queues');
    await writeFile(join(queuesDir, '.tmp-queue'), 'half a queue write');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(kvDir, '.tmp-old'), old, old);
    await utimes(join(dir, 'tmp', 'messages', '.tmp-tree'), old, old);
    await utimes(join(queuesDir, '.tmp-queue'), old, old);
    await storage.sweep();
    expect((await readdir(kvDir)).sort()).toEqual(['.tmp-new', expect.stringMatching(/\.json$/)]);
    expect(await readdir(join(dir, 'tmp', 'messages'))).toEqual([]);
    expect(await readdir(queuesDir)).toEqual([]);
    await storage.close();
  });

  it('runs in the background on the sweepIntervalMs timer', async () => {
    const clock = manualClock();
    const storage = createStorage({
      adapter: fileAdapter({ dir, namespace: 'timer', sweepIntervalMs: 20 }),
      clock,
    });
    await storage.kv.set('gone', 1, { ttl: 1000 });
    clock.advance(2000);
    const kvDir = join(dir, 'timer', 'kv');
    // Polls the folder (the observable effect) instead of sleeping a guessed time.
    while ((await readdir(kvDir)).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await readdir(kvDir)).toEqual([]);
    await storage.close();
  });
});
