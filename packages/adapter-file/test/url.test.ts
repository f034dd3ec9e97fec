import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterFromUrl } from '../src/index.js';
import { removeDir, tempDir } from './helpers.js';

describe('adapterFromUrl', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir('url');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('file:///abs/dir stores under that folder and namespace', async () => {
    const url = pathToFileURL(dir).href;
    const storage = createStorage(adapterFromUrl(url, { namespace: 'app', sweepIntervalMs: 0 }));
    await storage.sessions.save({ id: 's', data: 1 });
    const health = await storage.health();
    expect(health.ok).toBe(true);
    expect(health.details).toMatchObject({ dir: join(dir, 'app'), sessions: 1 });
    await storage.close();
  });

  it('file:./relative resolves against the working folder', async () => {
    const adapter = adapterFromUrl(`file:./${relative(process.cwd(), dir)}/rel`, {});
    const storage = createStorage(adapter);
    await storage.kv.set('k', 1);
    expect((await storage.health()).details).toMatchObject({
      dir: join(resolve(dir, 'rel'), 'default'),
    });
    await storage.close();
  });

  it('bad URLs and options are a ConfigError before any I/O', () => {
    expect(() => adapterFromUrl('sqlite:./x.db', {})).toThrow(/file: URLs/);
    expect(() => adapterFromUrl('file:./x', { namespace: '../up' })).toThrow(/namespace/);
    expect(() => adapterFromUrl('file:./x', { durability: 'sometimes' })).toThrow(/durability/);
  });
});
