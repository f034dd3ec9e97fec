import { after, before, describe, it } from 'node:test';
import {
  casesByGroup,
  closeGroup,
  type GroupFixture,
  missingRequirement,
  openGroup,
  runCase,
} from './harness.js';
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
  describe(`${options.name} adapter contract`, () => {
    for (const [group, cases] of casesByGroup(options)) {
      describe(group, () => {
        let fixture: GroupFixture | undefined;
        before(async () => {
          fixture = await openGroup(options);
        });
        after(async () => {
          if (fixture) await closeGroup(fixture);
        });
        for (const c of cases) {
          it(c.name, async (t) => {
            const ready = fixture as GroupFixture;
            const missing = missingRequirement(c, ready);
            if (missing) {
              t.skip(`needs ${missing}`);
              return;
            }
            await runCase(c, ready, options);
          });
        }
      });
    }
  });
}

export type { AdapterContractOptions, BackendInspector } from './types.js';
