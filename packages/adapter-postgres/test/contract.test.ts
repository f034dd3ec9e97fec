import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { afterAll } from 'vitest';
import { postgresAdapter } from '../src/index.js';
import { dropSchema, randomSchema, SHARED_URL, tableInspector } from './support/shared-server.js';

const schema = randomSchema();

afterAll(async () => {
  await dropSchema(schema);
});

describeAdapterContract({
  name: 'postgres',
  create: () => postgresAdapter({ connection: SHARED_URL, schema, sweepIntervalMs: 0 }),
  inspect: () => tableInspector(schema),
});
