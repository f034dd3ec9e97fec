import { randomBytes } from 'node:crypto';
import type { BackendInspector } from '@stowage/contract-tests';
import { Cluster, Redis } from 'ioredis';
import { encodeId, keyLayout } from '../../src/keys.js';
import type { RedisClient } from '../../src/script-runner.js';

/** The shared standalone server every developer machine and CI job has. */
export const STANDALONE_URL = 'redis://127.0.0.1:6379';

/** The local cluster started by scripts/cluster.sh. */
export const CLUSTER_NODES = [
  { host: '127.0.0.1', port: 7000 },
  { host: '127.0.0.1', port: 7001 },
  { host: '127.0.0.1', port: 7002 },
];

/** A namespace no other run uses, so runs can share a server without FLUSHDB. */
export function randomNamespace(label: string): string {
  return `t_${label}_${randomBytes(6).toString('hex')}`;
}

/** A raw ioredis client for inspection and cleanup, with its own error listener. */
export function rawClient(mode: 'standalone' | 'cluster', url = STANDALONE_URL): RedisClient {
  const client =
    mode === 'cluster'
      ? new Cluster(CLUSTER_NODES, { scaleReads: 'master' })
      : new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {
    // Test helper connections only read; a failure shows up in the command that needed it.
  });
  return client;
}

/** Deletes every key of a namespace with SCAN (never KEYS) on every primary. */
export async function dropNamespace(client: RedisClient, namespace: string): Promise<number> {
  const { pattern } = keyLayout(namespace);
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  let removed = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) {
        // Every key of a namespace shares one slot, so one DEL takes them all in Cluster too.
        removed += await node.del(...keys);
      }
    } while (cursor !== '0');
  }
  return removed;
}

/** A contract-suite inspector that reads the namespace's keys directly. */
export function inspector(client: RedisClient, namespace: string): BackendInspector {
  const { prefix } = keyLayout(namespace);
  return {
    async sessionExists(id) {
      return (await client.exists(`${prefix}s:${encodeId(id)}`)) === 1;
    },
    async messageCount(sessionId) {
      return client.llen(`${prefix}m:${encodeId(sessionId)}`);
    },
    async kvExists(key) {
      return (await client.exists(`${prefix}k:${encodeId(key)}`)) === 1;
    },
    async rawSession(id) {
      const fields = await client.hgetall(`${prefix}s:${encodeId(id)}`);
      return Object.keys(fields).length === 0 ? undefined : JSON.stringify(fields);
    },
  };
}
