import { memoryBackend } from '../src/index.js';
import { describeAdapterContract } from '../src/vitest.js';

describeAdapterContract({ name: 'memory', ...memoryBackend() });
