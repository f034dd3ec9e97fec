import { createStorage, type JsonValue } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { encodeId, keyLayout } from '../src/keys.js';
import { randomNamespace } from './support/backend.js';
import {
  clusterCommand,
  type FailoverCluster,
  failoverCluster,
} from './support/failover-cluster.js';
import { startLoad, untypedFailures } from './support/load.js';
import { pollUntil } from './support/redis-process.js';

let cluster: FailoverCluster;

beforeAll(() => {
  cluster = failoverCluster(7100);
});
afterAll(() => cluster.stop());

async function verify(namespace: string, acknowledged: Map<string, number>, appended: number[]) {
  // A fresh adapter discovers the topology from scratch, so nothing is read from stale state.
  const reader = createStorage({
    adapter: redisAdapter({ cluster: cluster.nodes, namespace }),
    timeout: 5000,
  });
  const ids = [...acknowledged.keys()];
  const stored = await reader.sessions.getMany(ids);
  const lost = ids.filter((id, i) => stored[i]?.data !== acknowledged.get(id));
  const log = await reader.messages.range('log');
  await reader.close();
  expect(lost).toEqual([]);
  expect(log).toEqual(appended);
}

describe('Redis Cluster failover under load with durability replicated', () => {
  it('follows a manual failover and keeps every acknowledged write', async () => {
    const namespace = randomNamespace('failover');
    const storage = createStorage({
      adapter: redisAdapter({ cluster: cluster.nodes, namespace, durability: 'replicated' }),
      timeout: 2000,
    });
    await storage.sessions.save({ id: 'log', data: null });
    const anchor = keyLayout(namespace).anchor;
    const primary = await cluster.primaryOf(anchor);
    const replica = await cluster.replicaOf(primary);
    const load = startLoad(storage, 'f', 'log');
    await pollUntil('writes before the failover', async () => load.report.acknowledged.size >= 200);

    await clusterCommand(replica, 'CLUSTER', 'FAILOVER');
    await pollUntil(
      'the replica to take over',
      async () => (await cluster.primaryOf(anchor, replica)) === replica,
    );
    const before = load.report.acknowledged.size;
    await pollUntil(
      'writes on the new primary',
      async () => load.report.acknowledged.size >= before + 200,
    );
    await load.stop();
    await storage.close();

    expect(untypedFailures(load.report.failures)).toEqual([]);
    await verify(namespace, load.report.acknowledged, load.report.appended);
  });

  it('survives SIGKILL of the primary: replicated writes stay, writes resume once a replica is back', async () => {
    const namespace = randomNamespace('killed');
    const storage = createStorage({
      adapter: redisAdapter({ cluster: cluster.nodes, namespace, durability: 'replicated' }),
      timeout: 2000,
    });
    await storage.sessions.save({ id: 'log', data: null });
    const anchor = keyLayout(namespace).anchor;
    const primary = await cluster.primaryOf(anchor);
    const replica = await cluster.replicaOf(primary);
    const load = startLoad(storage, 'k', 'log');
    await pollUntil('writes before the kill', async () => load.report.acknowledged.size >= 200);

    cluster.kill(primary);
    await pollUntil(
      'the replica to be promoted',
      async () => (await cluster.primaryOf(anchor, replica)) === replica,
    );
    // The promoted node has no replica until the killed one rejoins, so replicated writes
    // must fail (typed) rather than be acknowledged without a copy.
    cluster.restart(primary);
    const before = load.report.acknowledged.size;
    await pollUntil(
      'replicated writes on the new primary',
      async () => load.report.acknowledged.size >= before + 200,
    );
    await load.stop();
    await storage.close();

    expect(untypedFailures(load.report.failures)).toEqual([]);
    await verify(namespace, load.report.acknowledged, load.report.appended);
  });
});

/**
 * Subscribes through one storage, moves the namespace's shard to its replica with `move`, and
 * checks that the same subscription, untouched by the test, now lives on the new primary and
 * receives every message published there, in order.
 */
async function subscriptionFollowsFailover(
  move: (primary: number, replica: number) => Promise<void>,
): Promise<void> {
  const namespace = randomNamespace('psfailover');
  const adapterOptions = { cluster: cluster.nodes, namespace };
  const subscriber = createStorage({ adapter: redisAdapter(adapterOptions), timeout: 2000 });
  const publisher = createStorage({ adapter: redisAdapter(adapterOptions), timeout: 2000 });
  const got: JsonValue[] = [];
  const off = await subscriber.subscribe('events', (message) => {
    got.push(message);
  });
  await publisher.publish('events', 'before');
  await pollUntil('the message before the failover', async () => got.includes('before'));

  const anchor = keyLayout(namespace).anchor;
  const primary = await cluster.primaryOf(anchor);
  const replica = await cluster.replicaOf(primary);
  await move(primary, replica);
  await pollUntil(
    'the replica to take over',
    async () => (await cluster.primaryOf(anchor, replica)) === replica,
  );
  const channel = `${keyLayout(namespace).prefix}c:${encodeId('events')}`;
  await pollUntil('the subscription on the new primary', async () => {
    const [, count] = (await clusterCommand(replica, 'PUBSUB', 'SHARDNUMSUB', channel)) as [
      string,
      number,
    ];
    return count === 1;
  });

  // Messages published while the subscription moves are lost (at most once), so keep
  // publishing until one arrives, then check that the following ones all arrive in order.
  let sent = 0;
  await pollUntil('a message after the failover', async () => {
    await publisher.publish('events', `probe-${sent++}`);
    return got.some((m) => typeof m === 'string' && m.startsWith('probe-'));
  });
  const tail = Array.from({ length: 20 }, (_, i) => `after-${i}`);
  for (const message of tail) await publisher.publish('events', message);
  await pollUntil('every message after the failover', async () => got.includes('after-19'));
  expect(got.filter((m) => typeof m === 'string' && m.startsWith('after-'))).toEqual(tail);
  expect(got[0]).toBe('before');

  await off();
  await subscriber.close();
  await publisher.close();
}

describe('Redis Cluster pub/sub across a failover of the namespace shard', () => {
  it('moves a shard subscription to the new primary after a manual failover', async () => {
    await subscriptionFollowsFailover(async (_primary, replica) => {
      await clusterCommand(replica, 'CLUSTER', 'FAILOVER');
    });
  });

  it('moves a shard subscription to the promoted replica after SIGKILL of the primary', async () => {
    let killed: number | undefined;
    try {
      await subscriptionFollowsFailover(async (primary) => {
        killed = primary;
        cluster.kill(primary);
      });
    } finally {
      // Later tests expect every primary to have a replica again.
      if (killed !== undefined) cluster.restart(killed);
    }
  });
});
