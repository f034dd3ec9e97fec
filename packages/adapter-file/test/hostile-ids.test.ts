import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAdapter } from '../src/index.js';
import { removeDir, tempDir } from './helpers.js';

const ids = [
  '../../etc/passwd',
  '../outside',
  '..',
  '.',
  '*',
  'CON',
  'con',
  'a/b\\c',
  '/absolute/path',
  '😀',
  'Abc',
  'abc',
  'x'.repeat(300),
];

async function walk(dir: string, root = dir): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    found.push(relative(root, path));
    if (entry.isDirectory()) found.push(...(await walk(path, root)));
  }
  return found.sort();
}

describe('hostile ids', () => {
  let parent = '';
  beforeAll(async () => {
    parent = await tempDir('hostile');
  });
  afterAll(async () => {
    await removeDir(parent);
  });

  it('are stored literally and write nothing outside the store folder', async () => {
    const storage = createStorage(
      fileAdapter({ dir: join(parent, 'store'), namespace: 'app', sweepIntervalMs: 0 }),
    );
    await storage.kv.set('sentinel', 1);
    const before = (await walk(parent)).filter((p) => !p.startsWith('store'));
    for (const id of ids) {
      await storage.sessions.save({ id, data: { id } });
      await storage.messages.append(id, [{ id }], { idempotencyKey: id });
      await storage.kv.set(id, { id });
    }
    for (const id of ids) {
      expect((await storage.sessions.get(id))?.data).toEqual({ id });
      expect(await storage.messages.range(id, 0, -1)).toEqual([{ id }]);
      expect(await storage.kv.get(id)).toEqual({ id });
    }
    expect((await storage.sessions.list({ limit: 100 })).items.map((s) => s.id).sort()).toEqual(
      [...ids].sort(),
    );
    const keys = await storage.kv.keys({ limit: 100 });
    expect(keys.items.sort()).toEqual([...ids, 'sentinel'].sort());
    const after = (await walk(parent)).filter((p) => !p.startsWith('store'));
    expect(after).toEqual(before);
    for (const path of await walk(join(parent, 'store'))) {
      expect(path.split('/').every((part) => part !== '..' && part !== '.')).toBe(true);
    }
    await storage.close();
  });

  it('that differ only in case are separate sessions', async () => {
    const storage = createStorage(
      fileAdapter({ dir: join(parent, 'store'), namespace: 'case', sweepIntervalMs: 0 }),
    );
    await storage.sessions.save({ id: 'Session', data: 1 });
    await storage.sessions.save({ id: 'session', data: 2 });
    await storage.sessions.save({ id: 'SESSION', data: 3 });
    expect((await storage.sessions.get('Session'))?.data).toBe(1);
    expect((await storage.sessions.get('session'))?.data).toBe(2);
    expect((await storage.sessions.get('SESSION'))?.data).toBe(3);
    await storage.close();
  });
});
