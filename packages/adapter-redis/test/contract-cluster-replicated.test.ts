import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { afterAll } from 'vitest';
import { redisAdapter } from '../src/index.js';
import {
  CLUSTER_NODES,
  dropNamespace,
  inspector,
  randomNamespace,
  rawClient,
} from './support/backend.js';

const namespace = randomNamespace('cluster');
const raw = rawClient('cluster');

afterAll(async () => {
  await dropNamespace(raw, namespace);
  await raw.quit();
});

describeAdapterContract({
  name: 'redis cluster replicated',
  create: () => redisAdapter({ cluster: CLUSTER_NODES, namespace, durability: 'replicated' }),
  inspect: () => inspector(raw, namespace),
});
