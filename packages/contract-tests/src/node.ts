import { after, before, describe, it } from 'node:test';
import { declareContract } from './declare.js';
import type { AdapterContractOptions } from './types.js';

/**
 * Declares the Stowage adapter contract for the built-in `node:test` runner: one `describe`
 * per group, one `it` per case, the same cases as the vitest binding.
 *
 * @example
 * ```ts
 * // contract.test.mjs, run with `node --test`
 * import { describeAdapterContract } from '@stowage/contract-tests/node';
 * import { myAdapter } from 'my-stowage-adapter';
 *
 * describeAdapterContract({ name: 'my', create: () => myAdapter() });
 * ```
 */
export function describeAdapterContract(options: AdapterContractOptions): void {
  declareContract(
    {
      describe,
      beforeAll: before,
      afterAll: after,
      it: (name, body) => it(name, (t) => body((reason) => t.skip(reason))),
    },
    options,
  );
}

export type { AdapterContractOptions, BackendInspector } from './types.js';
