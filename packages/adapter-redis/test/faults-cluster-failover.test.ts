import { createStorage } from '@stowage/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter } from '../src/index.js';
import { keyLayout } from '../src/keys.js';
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
