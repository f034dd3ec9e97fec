import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { afterAll } from 'vitest';
import { redisAdapter } from '../src/index.js';
import {
  dropNamespace,
  inspector,
  randomNamespace,
  rawClient,
  STANDALONE_URL,
} from './support/backend.js';

const namespace = randomNamespace('contract');
const raw = rawClient('standalone');

afterAll(async () => {
  await dropNamespace(raw, namespace);
  await raw.quit();
});

describeAdapterContract({
  name: 'redis standalone',
  create: () => redisAdapter({ url: STANDALONE_URL, namespace }),
  inspect: () => inspector(raw, namespace),
});
