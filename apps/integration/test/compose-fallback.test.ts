import { redisAdapter } from '@stowage/adapter-redis';
import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { memoryAdapter, withFallback } from '@stowage/core';
import { afterAll } from 'vitest';
import { dropRedisNamespace, REDIS_URL, unique } from './codecs-support.js';
import { partsInspector } from './compose-inspector.js';

// Redis with an in-process fallback. With Redis up every call stays on it; the failover itself
// is covered with a stopped Redis in compose-fallback-outage.test.ts.
const namespace = unique('t_fallback');

afterAll(async () => {
  await dropRedisNamespace(namespace);
});

describeAdapterContract({
  name: 'withFallback(redis, memory)',
  create: () => withFallback(redisAdapter({ url: REDIS_URL, namespace }), memoryAdapter()),
  inspect: () => {
    const redis = redisAdapter({ url: REDIS_URL, namespace });
    return partsInspector({ sessions: redis, kv: redis });
  },
});
