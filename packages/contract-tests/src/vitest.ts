import { afterAll, beforeAll, describe, it } from 'vitest';
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
  describe(`${options.name} adapter contract`, () => {
    for (const [group, cases] of casesByGroup(options)) {
      describe(group, () => {
        let fixture: GroupFixture | undefined;
        beforeAll(async () => {
          fixture = await openGroup(options);
        });
        afterAll(async () => {
          if (fixture) await closeGroup(fixture);
        });
        for (const c of cases) {
          it(c.name, async (ctx) => {
            const ready = fixture as GroupFixture;
            const missing = missingRequirement(c, ready);
            if (missing) {
              ctx.skip(`needs ${missing}`);
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
