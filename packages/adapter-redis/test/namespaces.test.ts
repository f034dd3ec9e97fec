import { createStorage } from '@stowage/core';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { keyLayout } from '../src/keys.js';
import { CLUSTER_NODES, dropNamespace, randomNamespace, rawClient } from './support/backend.js';

const raw = rawClient('cluster');
const base = randomNamespace('ns');
const namespaces = [base, `${base}2`];

afterAll(async () => {
  for (const namespace of namespaces) await dropNamespace(raw, namespace);
  await raw.quit();
});

const open = (namespace: string) =>
  createStorage({ adapter: redisAdapter({ cluster: CLUSTER_NODES, namespace }) });

describe('namespaces and key names', () => {
  it('keeps a namespace and its extension (prod, prod2) apart', async () => {
    const [a, b] = namespaces.map(open) as [ReturnType<typeof open>, ReturnType<typeof open>];
    await a.sessions.save({ id: 'same', data: 'a', labels: { user: 'u' } });
    await b.sessions.save({ id: 'same', data: 'b', labels: { user: 'u' } });
    await a.kv.set('k', 'a');
    await b.kv.set('k', 'b');
    expect(await a.sessions.deleteWhere({ labels: { user: 'u' } })).toBe(1);
    expect((await b.sessions.get('same'))?.data).toBe('b');
    expect(await b.kv.get('k')).toBe('b');
    expect(await b.sessions.count()).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('stores ids full of tag and glob characters in one slot under encoded key names', async () => {
    const namespace = namespaces[0] as string;
    const storage = open(namespace);
    const ids = ['{x}', '}{', '*', 'a:b', '[a-z]?', '\\', '😀'];
    for (const id of ids) {
      await storage.sessions.save({ id, data: id, labels: { '{tag}': '*' } });
      await storage.messages.append(id, [id], { idempotencyKey: '{k}:*' });
      await storage.kv.set(id, id);
    }
    const keys: string[] = [];
    for (const node of (raw as import('ioredis').Cluster).nodes('master')) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', keyLayout(namespace).pattern);
        keys.push(...found);
        cursor = next;
      } while (cursor !== '0');
    }
    const slots = new Set(
      await Promise.all(keys.map((k) => raw.call('CLUSTER', 'KEYSLOT', k) as Promise<number>)),
    );
    expect(slots.size).toBe(1);
    for (const key of keys)
      expect(key.slice(keyLayout(namespace).prefix.length)).toMatch(/^[\w:=]+$/);
    expect((await storage.sessions.getMany(ids)).map((s) => s?.data)).toEqual(ids);
    expect(await storage.sessions.count({ labels: { '{tag}': '*' } })).toBe(ids.length);
    await storage.close();
  });
});
