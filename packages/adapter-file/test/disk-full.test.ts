import { execFileSync } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStorage, type Storage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFullError, fileAdapter } from '../src/index.js';
import { removeDir, tempDir } from './helpers.js';

/** Mounts a 256 KiB tmpfs at `dir`; false when this user may not mount (not root). */
function mountTiny(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function tempFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.name.startsWith('.tmp-')) found.push(entry.name);
  }
  return found;
}

const mountPoint = await tempDir('enospc');
const mounted = mountTiny(mountPoint);
if (!mounted) await removeDir(mountPoint);

// Needs root for a real, tiny file system; elsewhere this suite reports itself as skipped.
describe.skipIf(!mounted)('a full disk (real 256 KiB tmpfs)', () => {
  let storage: Storage;
  const big = 'x'.repeat(1024 * 1024);
  beforeAll(() => {
    storage = createStorage(fileAdapter({ dir: mountPoint, sweepIntervalMs: 0 }));
  });
  afterAll(async () => {
    await storage.close();
    execFileSync('umount', [mountPoint]);
    await removeDir(mountPoint);
  });

  it('a save that does not fit is a DiskFullError and the previous version stays', async () => {
    await storage.sessions.save({ id: 'keep', data: { v: 1 } });
    const error = await storage.sessions.save({ id: 'keep', data: { big } }).catch((e) => e);
    expect(error).toBeInstanceOf(DiskFullError);
    expect(error).toMatchObject({ code: 'BACKEND', reason: 'ENOSPC', adapter: 'file' });
    const got = await storage.sessions.get('keep');
    expect(got?.data).toEqual({ v: 1 });
    expect(got?.version).toBe(1);
    expect(await tempFiles(mountPoint)).toEqual([]);
  });

  it('an append that does not fit is a DiskFullError and leaves no partial line', async () => {
    await storage.sessions.save({ id: 'chat', data: {} });
    await storage.messages.append('chat', [{ n: 1 }]);
    await expect(storage.messages.append('chat', [{ big }])).rejects.toBeInstanceOf(DiskFullError);
    expect(await storage.messages.range('chat', 0, -1)).toEqual([{ n: 1 }]);
    expect(await storage.messages.append('chat', [{ n: 2 }])).toBe(2);
    expect(await storage.messages.range('chat', 0, -1)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('a kv write that does not fit is a DiskFullError and the old value stays', async () => {
    await storage.kv.set('k', 'small');
    await expect(storage.kv.set('k', big)).rejects.toBeInstanceOf(DiskFullError);
    expect(await storage.kv.get('k')).toBe('small');
    expect(await tempFiles(mountPoint)).toEqual([]);
  });

  it('with the disk filled to the last byte every write fails typed, and works once space is freed', async () => {
    const filler = join(mountPoint, 'filler');
    // Fill in shrinking steps until not even one byte fits.
    for (let size = 128 * 1024; size >= 1; size = Math.floor(size / 2)) {
      for (let i = 0; ; i++) {
        try {
          await writeFile(`${filler}-${size}-${i}`, Buffer.alloc(size));
        } catch {
          await rm(`${filler}-${size}-${i}`, { force: true });
          break;
        }
      }
    }
    await expect(storage.sessions.save({ id: 'keep', data: { v: 2 } })).rejects.toBeInstanceOf(
      DiskFullError,
    );
    expect((await storage.sessions.get('keep'))?.data).toEqual({ v: 1 });
    expect(await tempFiles(mountPoint)).toEqual([]);
    for (const name of await readdir(mountPoint)) {
      if (name.startsWith('filler')) await rm(join(mountPoint, name));
    }
    expect((await storage.sessions.save({ id: 'keep', data: { v: 2 } })).version).toBe(2);
  });
});
