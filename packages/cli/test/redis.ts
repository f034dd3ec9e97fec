import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The standalone test server (never the cluster). */
export const REDIS_URL = process.env.STOWAGE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** A namespace no other test run uses (the adapter takes letters, digits and `_`). */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Deletes every key of the namespaces with SCAN (never KEYS). */
export async function dropNamespaces(...namespaces: string[]): Promise<void> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    for (const namespace of namespaces) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `{${namespace}}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}
