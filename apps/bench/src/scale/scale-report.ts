import type { MachineInfo } from '../machine.js';
import type { ScaleSizes } from '../sizes.js';
import type { ScaleQueryResult, ScaleResult, ScaleSweepResult } from './run-scale.js';

/** Marker lines in README.md that enclose the generated scale results. */
export const SCALE_START_MARKER = '<!-- bench:scale:start -->';
/** See `SCALE_START_MARKER`. */
export const SCALE_END_MARKER = '<!-- bench:scale:end -->';

const verdict = (met: boolean) => (met ? 'met' : '**missed**');
const count = (n: number) => n.toLocaleString('en-US');

/** The scale results as markdown: one table for listing and counting, one for the sweep. */
export function scaleReport(
  machine: MachineInfo,
  sizes: ScaleSizes,
  results: readonly ScaleResult[],
): string {
  const queries = results.filter((r): r is ScaleQueryResult => r.workload !== 'sweep');
  const sweeps = results.filter((r): r is ScaleSweepResult => r.workload === 'sweep');
  const lines = [
    `Scale run ${machine.startedAt}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load average at start ${machine.loadAverage.join(' / ')}.`,
    `Rows are written by the raw driver's bulk path into the adapter's own tables (created by the adapter first); every query result is checked. Up to ${sizes.queryOps} timed calls per workload and size after a warm-up (they stop after ${sizes.budgetMs / 1000} s once ${sizes.minOps} are done).`,
    '',
    `#### list and count (p95 target ${sizes.queryTargetMs} ms)`,
    '',
    '| target | sessions | workload | calls | p50 ms | p95 ms | p99 ms | max ms | p95 target | seeding |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...queries.map(
      (r) =>
        `| ${r.target} | ${count(r.sessions)} | ${r.workload} | ${r.calls} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${verdict(r.met)} | ${count(Math.round(r.seedMs))} ms |`,
    ),
    '',
    `#### sweep (longest event-loop stall target ${sizes.stallTargetMs} ms)`,
    '',
    '| target | expired sessions | batches | total s | rows/s | slowest batch ms | longest stall ms | p99 stall ms | idle loop, longest ms | stall target | seeding |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...sweeps.map(
      (r) =>
        `| ${r.target} | ${count(r.sessions)} | ${r.batches} | ${(r.totalMs / 1000).toFixed(1)} | ${count(Math.round(r.rowsPerSec))} | ${r.maxBatchMs} | ${r.maxStallMs} | ${r.p99StallMs} | ${r.idleStallMs} | ${verdict(r.met)} | ${count(Math.round(r.seedMs))} ms |`,
    ),
  ];
  return lines.join('\n');
}
