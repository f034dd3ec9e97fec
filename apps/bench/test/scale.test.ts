import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchEnv, createBenchEnv } from '../src/env.js';
import { machineInfo } from '../src/machine.js';
import { runScale, type ScaleResult } from '../src/scale/run-scale.js';
import { scaleReport } from '../src/scale/scale-report.js';
import { scaleSpecs } from '../src/scale/scale-targets.js';
import { type ScaleSizes, SIZES } from '../src/sizes.js';
import { QUERY_WORKLOADS } from '../src/workloads.js';

const tinyScale = SIZES.tiny.scale;
if (tinyScale === undefined) throw new Error('tiny mode has no scale sizes');
const sizes: ScaleSizes = tinyScale;
let env: BenchEnv;
let results: ScaleResult[];

beforeAll(async () => {
  env = await createBenchEnv();
  results = await runScale(scaleSpecs(env), sizes);
}, 55_000);

afterAll(async () => {
  await env?.cleanup();
});

describe('scale workloads on tiny sizes', () => {
  it('lists and counts at every size on PostgreSQL and SQLite, over bulk-seeded rows', () => {
    // runQuery checks every result against the generated data, so wrong bulk rows fail here.
    for (const name of ['stowage-sqlite', 'stowage-postgres']) {
      for (const sessions of sizes.counts) {
        for (const workload of QUERY_WORKLOADS) {
          const found = results.find(
            (r) => r.target === name && r.workload === workload && r.sessions === sessions,
          );
          expect(found, `${name} ${workload} ${sessions}`).toBeDefined();
          if (found?.workload === 'sweep' || found === undefined) continue;
          expect(found.calls).toBe(sizes.queryOps);
          expect(found.p95Ms).toBeGreaterThan(0);
          expect(found.met).toBe(found.p95Ms <= found.targetMs);
        }
      }
    }
  });

  it('sweeps every bulk-seeded expired session and records the longest stall', () => {
    const sweeps = results.filter((r) => r.workload === 'sweep');
    expect(sweeps.map((r) => r.target)).toEqual(['stowage-sqlite', 'stowage-postgres']);
    for (const r of sweeps) {
      if (r.workload !== 'sweep') continue;
      expect(r.sessions).toBe(sizes.sweepN);
      expect(r.batches).toBeGreaterThan(0);
      expect(r.maxStallMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('renders both scale tables', () => {
    const markdown = scaleReport(machineInfo(), sizes, results);
    expect(markdown).toContain('| stowage-postgres | 300 | count-label | 2 |');
    expect(markdown).toContain('| stowage-sqlite | 250 |');
  });
});
