import { afterAll, beforeAll, describe, it } from 'vitest';
import { declareContract } from './declare.js';
import type { AdapterContractOptions } from './types.js';

/**
 * Declares the Stowage adapter contract as vitest suites: one `describe` per group, one `it`
 * per case. Cases the adapter cannot run (missing capability or inspector) are reported as
 * skipped with the reason.
 *
 * @example
 * ```ts
 * import { describeAdapterContract } from '@stowage/contract-tests/vitest';
 * import { myAdapter } from '../src/index.js';
 *
 * describeAdapterContract({ name: 'my', create: () => myAdapter({ url: process.env.MY_URL }) });
 * ```
 */
export function describeAdapterContract(options: AdapterContractOptions): void {
  declareContract(
    {
      describe,
      beforeAll,
      afterAll,
      it: (name, body) => it(name, (ctx) => body((reason) => ctx.skip(reason))),
    },
    options,
  );
}

export type { AdapterContractOptions, BackendInspector } from './types.js';
