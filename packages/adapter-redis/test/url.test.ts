import { ConfigError, createStorage } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { adapterFromUrl } from '../src/index.js';
import { dropNamespace, randomNamespace, rawClient } from './support/backend.js';

const standalone = rawClient('standalone');
const cluster = rawClient('cluster');
const used: [typeof standalone, string][] = [];

afterAll(async () => {
  for (const [client, namespace] of used) await dropNamespace(client, namespace);
  await standalone.quit();
  await cluster.quit();
});

describe('adapterFromUrl', () => {
  it('loads the adapter and stores under the namespace it was given', async () => {
    const namespace = randomNamespace('url');
    used.push([standalone, namespace]);
    const storage = createStorage({
      adapter: adapterFromUrl('redis://127.0.0.1:6379', { namespace }),
    });
    await storage.sessions.save({ id: 'u1', data: { ok: true } });
    expect((await storage.sessions.get('u1'))?.data).toEqual({ ok: true });
    // One SCAN call may return no match on a busy database; walk the cursor to the end.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await standalone.scan(
        cursor,
        'MATCH',
        `{${namespace}}:*`,
        'COUNT',
        1000,
      );
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(0);
    await storage.close();
  });

  it('connects to a cluster with ?cluster=true and reads the namespace from the query', async () => {
    const namespace = randomNamespace('urlc');
    used.push([cluster, namespace]);
    const storage = createStorage({
      adapter: adapterFromUrl(`redis://127.0.0.1:7000?cluster=true&namespace=${namespace}`, {}),
    });
    await storage.kv.set('k', 42);
    expect(await storage.kv.get('k')).toBe(42);
    const health = await storage.health();
    expect(health.details).toMatchObject({ mode: 'cluster', namespace });
    await storage.close();
  });

  it('refuses adapter options it does not know', () => {
    expect(() => adapterFromUrl('redis://127.0.0.1:6379', { poolSize: 3 })).toThrow(ConfigError);
  });
});
