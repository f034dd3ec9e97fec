import { createStorage, type StoredSession } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { encodeId, keyLayout, labelToken, listMember } from '../src/keys.js';
import {
  CLUSTER_NODES,
  dropNamespace,
  randomNamespace,
  rawClient,
  STANDALONE_URL,
} from './support/backend.js';

const namespace = randomNamespace('restore');
const { prefix } = keyLayout(namespace);
const raw = rawClient('standalone');
const adapter = redisAdapter({ url: STANDALONE_URL, namespace, sweepIntervalMs: 0 });
const storage = createStorage({ adapter });

// The storage opens the adapter on its first call; restore is called on the adapter directly.
beforeAll(() => storage.sessions.get('warm-up'));

afterAll(async () => {
  await storage.close();
  await dropNamespace(raw, namespace);
  await raw.quit();
});

const restore = (sessions: StoredSession[]) =>
  adapter.sessions?.restore?.(sessions, { now: Date.now() }) ?? Promise.reject(new Error('none'));

function copy(id: string, fields: Partial<StoredSession> = {}): StoredSession {
  const now = Date.now();
  return {
    id,
    data: '{"n":1}',
    state: 'archived',
    labels: { owner: 'ann' },
    version: 4,
    createdAt: now - 60_000,
    updatedAt: now - 30_000,
    expiresAt: now + 3_600_000,
    maxExpiresAt: null,
    ...fields,
  };
}

/** Every index entry that names the session, read straight from Redis. */
async function indexEntries(id: string, states: string[], labels: [string, string][]) {
  const h = encodeId(id);
  const inRange = async (key: string) =>
    (await raw.zrangebylex(key, '-', '+')).filter((m) => m.endsWith(h));
  return {
    created: await inRange(`${prefix}ix:c`),
    states: Object.fromEntries(
      await Promise.all(states.map(async (s) => [s, await inRange(`${prefix}ix:t:${s}`)])),
    ),
    labels: Object.fromEntries(
      await Promise.all(
        labels.map(async ([n, v]) => [
          `${n}=${v}`,
          await inRange(`${prefix}ix:l:${labelToken(n, v)}`),
        ]),
      ),
    ),
    expiry: await raw.zscore(`${prefix}ix:x`, h),
  };
}

describe('sessions.restore on Redis', () => {
  it('moves every index entry of a live session it replaces and keeps its messages', async () => {
    const id = 'restore:replace';
    const first = copy(id);
    await restore([first]);
    await storage.messages.append(id, ['kept']);
    const second = copy(id, {
      state: 'active',
      labels: { owner: 'bob' },
      createdAt: first.createdAt - 1000,
      expiresAt: null,
      version: 9,
    });
    await restore([second]);

    const h = encodeId(id);
    expect(
      await indexEntries(
        id,
        ['archived', 'active'],
        [
          ['owner', 'ann'],
          ['owner', 'bob'],
        ],
      ),
    ).toEqual({
      created: [listMember(second.createdAt, h)],
      states: { archived: [], active: [listMember(second.createdAt, h)] },
      labels: { 'owner=ann': [], 'owner=bob': [listMember(second.createdAt, h)] },
      expiry: null,
    });
    expect(await raw.llen(`${prefix}m:${h}`)).toBe(1);
    // No expiry any more: neither the session nor its messages may be reclaimed by Redis.
    expect(await raw.pttl(`${prefix}s:${h}`)).toBe(-1);
    expect(await raw.pttl(`${prefix}m:${h}`)).toBe(-1);
    expect(await storage.sessions.get(id)).toMatchObject({ version: 9, state: 'active' });
  });

  it('indexes the expiry and gives the keys a Redis TTL past it', async () => {
    const id = 'restore:expiry';
    const session = copy(id);
    await restore([session]);
    await storage.messages.append(id, ['m']);
    const later = copy(id, { expiresAt: Date.now() + 7_200_000 });
    await restore([later]);
    const h = encodeId(id);
    expect(Number(await raw.zscore(`${prefix}ix:x`, h))).toBe(later.expiresAt);
    for (const key of [`${prefix}s:${h}`, `${prefix}m:${h}`]) {
      expect(await raw.pttl(key)).toBeGreaterThan(3_600_000);
    }
  });

  it('drops the messages Redis kept of a session whose hash it already reclaimed', async () => {
    const id = 'restore:orphan';
    const h = encodeId(id);
    await raw.rpush(`${prefix}m:${h}`, 'stale');
    await restore([copy(id)]);
    expect(await raw.exists(`${prefix}m:${h}`)).toBe(0);
    expect(await storage.messages.length(id)).toBe(0);
  });

  it('writes a batch in one script: a later invalid copy writes none', async () => {
    const ok = copy('restore:batch-ok');
    const bad = copy('restore:batch-bad', { version: 0 });
    await expect(restore([ok, bad])).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await raw.exists(`${prefix}s:${encodeId(ok.id)}`)).toBe(0);
  });
});

describe('sessions.restore on Cluster', () => {
  it('restores a batch of ids that hash to different slots on their own', async () => {
    const ns = randomNamespace('restore_cluster');
    const clusterAdapter = redisAdapter({ cluster: CLUSTER_NODES, namespace: ns });
    const clustered = createStorage({ adapter: clusterAdapter });
    const rawCluster = rawClient('cluster');
    try {
      await clustered.sessions.get('warm-up');
      const copies = ['a', 'b', 'c', 'd'].map((n) => copy(`restore-${n}`));
      await clusterAdapter.sessions?.restore?.(copies, { now: Date.now() });
      expect(await clustered.sessions.count({ labels: { owner: 'ann' } })).toBe(4);
      const got = await clustered.sessions.getMany(copies.map((c) => c.id));
      expect(got.map((s) => s?.version)).toEqual([4, 4, 4, 4]);
    } finally {
      await clustered.close();
      await dropNamespace(rawCluster, ns);
      await rawCluster.quit();
    }
  });
});
