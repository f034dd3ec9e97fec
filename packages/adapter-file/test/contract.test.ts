import { join } from 'node:path';
import { describeAdapterContract } from '@stowage/contract-tests/vitest';
import { afterAll, beforeAll } from 'vitest';
import { fileAdapter } from '../src/index.js';
import { fileInspector, randomNamespace, removeDir, tempDir } from './helpers.js';

let dir = '';
const namespace = randomNamespace();

beforeAll(async () => {
  dir = await tempDir('contract');
});
afterAll(async () => {
  await removeDir(dir);
});

describeAdapterContract({
  name: 'file',
  create: () => fileAdapter({ dir, namespace }),
  inspect: () => fileInspector(join(dir, namespace)),
});
