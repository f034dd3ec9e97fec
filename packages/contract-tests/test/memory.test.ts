import { memoryAdapter } from '@stowage/core';
import { describeAdapterContract } from '../src/vitest.js';

describeAdapterContract({ name: 'memory', create: () => memoryAdapter() });
