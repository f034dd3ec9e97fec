import { link, mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, manualClock } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAdapter } from '../src/index.js';
import { encodeName } from '../src/names.js';
import { removeDir, tempDir } from './helpers.js';

/** A pid that no process has: above Linux's pid_max limit. */
const DEAD_PID = 2 ** 22 + 1;

describe('lock files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir('locks');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  const lockPath = (namespace: string, id: string) =>
    join(dir, namespace, 'locks', `s-${encodeName(id)}.lock`);

  async function plantLock(path: string, pid: number, at: number): Promise<void> {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, JSON.stringify({ pid, at, token: 'planted' }));
  }

  it('a lock left by a dead process is taken over and the write goes through', async () => {
    await plantLock(lockPath('dead', 's1'), DEAD_PID, Date.now());
    const storage = createStorage(
      fileAdapter({ dir, namespace: 'dead', lockTimeoutMs: 2000, sweepIntervalMs: 0 }),
    );
    expect((await storage.sessions.save({ id: 's1', data: 1 })).version).toBe(1);
    await expect(stat(lockPath('dead', 's1'))).rejects.toMatchObject({ code: 'ENOENT' });
    await storage.close();
  });

  it('a lock held by a live process makes the write wait, then fail with TimeoutError', async () => {
    await plantLock(lockPath('live', 's1'), process.ppid, Date.now());
    const storage = createStorage(
      fileAdapter({ dir, namespace: 'live', lockTimeoutMs: 200, sweepIntervalMs: 0 }),
    );
    await expect(storage.sessions.save({ id: 's1', data: 1 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(await storage.sessions.get('s1')).toBeNull();
    await storage.close();
  });

  it('a lock older than staleLockMs is taken over even if its pid is alive', async () => {
    const path = lockPath('old', 's1');
    await plantLock(path, process.ppid, Date.now() - 60_000);
    const storage = createStorage(
      fileAdapter({ dir, namespace: 'old', staleLockMs: 1000, sweepIntervalMs: 0 }),
    );
    expect((await storage.sessions.save({ id: 's1', data: 1 })).version).toBe(1);
    await storage.close();
  });

  it('an empty lock file (holder died while creating it) is taken over once it is old', async () => {
    const path = lockPath('empty', 's1');
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const storage = createStorage(
      fileAdapter({ dir, namespace: 'empty', staleLockMs: 1000, sweepIntervalMs: 0 }),
    );
    expect((await storage.sessions.save({ id: 's1', data: 1 })).version).toBe(1);
    await storage.close();
  });

  it('only one sweeper runs at a time: a held sweep lock makes sweep a no-op', async () => {
    const clock = manualClock();
    const adapter = fileAdapter({ dir, namespace: 'sweep', sweepIntervalMs: 0 });
    const storage = createStorage({ adapter, clock });
    await storage.kv.set('gone', 1, { ttl: 1000 });
    clock.advance(2000);
    await plantLock(join(dir, 'sweep', 'locks', 'sweep.lock'), process.ppid, Date.now());
    expect(await storage.sweep()).toBe(0);
    expect(await readdir(join(dir, 'sweep', 'kv'))).toHaveLength(1);
    await plantLock(join(dir, 'sweep', 'locks', 'sweep.lock'), DEAD_PID, Date.now());
    expect(await storage.sweep()).toBe(1);
    expect(await readdir(join(dir, 'sweep', 'kv'))).toHaveLength(0);
    await storage.close();
  });

  it('saveMany waits for a lock held by a live process, then fails writing nothing and leaving no locks', async () => {
    await plantLock(lockPath('batch-live', 's2'), process.ppid, Date.now());
    const storage = createStorage(
      fileAdapter({ dir, namespace: 'batch-live', lockTimeoutMs: 200, sweepIntervalMs: 0 }),
    );
    const batch = ['s1', 's2', 's3'].map((id) => ({ id, data: 1 }));
    await expect(storage.sessions.saveMany(batch)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await storage.sessions.getMany(['s1', 's2', 's3'])).toEqual([null, null, null]);
    // Only the planted lock is left: the batch's own locks and their shared body are gone.
    expect(await readdir(join(dir, 'batch-live', 'locks'))).toEqual([`s-${encodeName('s2')}.lock`]);
    await storage.close();
  });

  it('saveMany takes over an abandoned lock and removes every lock it linked', async () => {
    await plantLock(lockPath('batch-dead', 's2'), DEAD_PID, Date.now());
    const storage = createStorage(
      fileAdapter({ dir, namespace: 'batch-dead', lockTimeoutMs: 2000, sweepIntervalMs: 0 }),
    );
    const saved = await storage.sessions.saveMany(
      ['s1', 's2', 's3'].map((id) => ({ id, data: 1 })),
    );
    expect(saved.map((s) => s.version)).toEqual([1, 1, 1]);
    expect(await readdir(join(dir, 'batch-dead', 'locks'))).toEqual([]);
    await storage.close();
  });

  it('a single save waits for a lock that a batch holds through a hard link', async () => {
    const storage = createStorage(
      fileAdapter({ dir, namespace: 'batch-link', lockTimeoutMs: 5000, sweepIntervalMs: 0 }),
    );
    await storage.sessions.saveMany(['a', 'b'].map((id) => ({ id, data: 0 })));
    // Another process would see exactly this: the batch's lock body linked at both paths.
    const locks = join(dir, 'batch-link', 'locks');
    const body = JSON.stringify({ pid: process.ppid, at: Date.now(), token: 'batch' });
    await writeFile(join(locks, '.tmp-lock-batch'), body);
    await link(join(locks, '.tmp-lock-batch'), lockPath('batch-link', 'a'));
    const other = createStorage(
      fileAdapter({ dir, namespace: 'batch-link', lockTimeoutMs: 200, sweepIntervalMs: 0 }),
    );
    await expect(other.sessions.save({ id: 'a', data: 1 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect((await other.sessions.save({ id: 'b', data: 1 })).version).toBe(2);
    await other.close();
    await storage.close();
  });
});
