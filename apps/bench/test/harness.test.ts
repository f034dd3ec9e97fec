import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchEnv, createBenchEnv } from '../src/env.js';
import { machineInfo } from '../src/machine.js';
import { markdownReport, ratioChart } from '../src/report.js';
import { runAll, type WorkloadResult } from '../src/runner.js';
import { SIZES } from '../src/sizes.js';
import { allSpecs } from '../src/specs.js';
import { WORKLOADS } from '../src/workloads.js';

let env: BenchEnv;
let results: WorkloadResult[];

beforeAll(async () => {
  env = await createBenchEnv();
  results = await runAll(allSpecs(env), SIZES.tiny);
}, 55_000);

afterAll(async () => {
  await env?.cleanup();
});

describe('benchmark harness on tiny sizes', () => {
  it('reports every workload for every target, measured or skipped with a reason', () => {
    const targets = allSpecs(env).map((s) => s.name);
    expect(results).toHaveLength(targets.length * WORKLOADS.length);
    for (const name of targets) {
      for (const workload of WORKLOADS) {
        const result = results.find((r) => r.target === name && r.workload === workload);
        expect(result, `${name} ${workload}`).toBeDefined();
        if (result?.skipped === undefined) {
          expect(result?.opsPerSec).toBeGreaterThan(0);
          expect(result?.p99Ms).toBeGreaterThanOrEqual(result?.p50Ms ?? Number.POSITIVE_INFINITY);
        } else {
          expect(result.skipped.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('measures every workload on every Stowage adapter and raw driver, with a ratio', () => {
    const floors = results.filter((r) => r.kind !== 'peer');
    expect(floors.filter((r) => r.skipped !== undefined)).toEqual([]);
    for (const r of floors) expect(r.ratio, `${r.target} ${r.workload}`).toBeGreaterThan(0);
    expect(results.filter((r) => r.kind === 'raw').every((r) => r.ratio === 1)).toBe(true);
  });

  it('measures save, get, mixed and conversation on every peer library', () => {
    const peers = results.filter((r) => r.kind === 'peer');
    expect(peers.length).toBeGreaterThan(0);
    for (const r of peers.filter((p) =>
      ['save', 'get', 'mixed', 'conversation'].includes(p.workload),
    )) {
      expect(r.skipped, `${r.target} ${r.workload}`).toBeUndefined();
    }
  });

  it('records conversation flatness and the sweep stall', () => {
    for (const r of results.filter((x) => x.workload === 'conversation' && !x.skipped)) {
      expect(r.extra?.flatness).toBeGreaterThan(0);
    }
    for (const r of results.filter((x) => x.workload === 'sweep' && !x.skipped)) {
      const expected = r.backend === 'file' ? SIZES.tiny.fileN : SIZES.tiny.sweepN;
      expect(r.extra?.removed, r.target).toBe(expected);
      expect(r.extra?.maxStallMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('renders a markdown table and an SVG chart from the results', () => {
    const markdown = markdownReport('tiny', machineInfo(), SIZES.tiny, results);
    for (const workload of WORKLOADS) expect(markdown).toContain(`#### ${workload}`);
    expect(markdown).toContain('| stowage-redis |');
    const svg = ratioChart(results);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('save · redis');
    expect(svg).toContain('<rect x=');
  });
});
