import {
  casesByGroup,
  closeGroup,
  type GroupFixture,
  missingRequirement,
  openGroup,
  runCase,
} from './harness.js';
import type { AdapterContractOptions } from './types.js';

/** The slice of a test runner's API the suite declares itself with. */
export interface RunnerApi {
  describe(name: string, body: () => void): void;
  beforeAll(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
  /** Declares a case; `skip(reason)` marks it skipped from inside. */
  it(name: string, body: (skip: (reason: string) => void) => Promise<void>): void;
}

/**
 * Declares the contract with any runner: one suite per group sharing a fixture, one test per
 * case, skipped with the reason when the adapter lacks what the case needs.
 */
export function declareContract(runner: RunnerApi, options: AdapterContractOptions): void {
  runner.describe(`${options.name} adapter contract`, () => {
    for (const [group, cases] of casesByGroup(options)) {
      runner.describe(group, () => {
        let fixture: GroupFixture | undefined;
        runner.beforeAll(async () => {
          fixture = await openGroup(options);
        });
        runner.afterAll(async () => {
          if (fixture) await closeGroup(fixture);
        });
        for (const c of cases) {
          runner.it(c.name, async (skip) => {
            const ready = fixture as GroupFixture;
            const missing = missingRequirement(c, ready);
            if (missing) {
              skip(`needs ${missing}`);
              return;
            }
            await runCase(c, ready, options);
          });
        }
      });
    }
  });
}
