import type { MachineInfo } from './machine.js';
import type { WorkloadResult } from './runner.js';
import type { Sizes } from './sizes.js';
import { WORKLOADS } from './workloads.js';

/** Marker lines in README.md that enclose the generated results. */
export const START_MARKER = '<!-- bench:results:start -->';
/** See `START_MARKER`. */
export const END_MARKER = '<!-- bench:results:end -->';

function fmt(value: number | undefined): string {
  if (value === undefined) return '';
  return value >= 100 ? String(Math.round(value)) : String(value);
}

function extraText(result: WorkloadResult): string {
  const extra = result.extra;
  if (extra === undefined) return '';
  if (result.workload === 'conversation') {
    return `${fmt(extra.appends)} appends, total ${fmt(extra.totalMs)} ms; first ${fmt(extra.edge)} ${fmt(extra.firstMs)} ms/op, last ${fmt(extra.edge)} ${fmt(extra.lastMs)} ms/op (x${fmt(extra.flatness)})`;
  }
  if (result.workload === 'sweep') {
    return `total ${fmt(extra.totalMs)} ms; longest event-loop stall ${fmt(extra.maxStallMs)} ms`;
  }
  return '';
}

function budgetText(sizes: Sizes): string {
  if (sizes.budgetMs === undefined) return '';
  return ` (sequential, mixed and batch rounds stop after ${sizes.budgetMs} ms once ${sizes.minOps} calls, or one batch, are done; the calls column says how many ran)`;
}

/** The results as markdown: the machine, then one table per workload. */
export function markdownReport(
  mode: string,
  machine: MachineInfo,
  sizes: Sizes,
  results: readonly WorkloadResult[],
): string {
  const lines = [
    `Mode \`${mode}\`, ${machine.startedAt}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}), load average at start ${machine.loadAverage.join(' / ')}.`,
    `Sizes: ${sizes.rounds} rounds; ${sizes.ops} sequential ops; mixed ${sizes.mixedOps} ops over ${sizes.keys} sessions with ${sizes.concurrency} in flight${budgetText(sizes)}; conversation ${sizes.conversation} appends (${sizes.conversationRounds} round(s)${sizes.conversationBudgetMs === undefined ? '' : `, stopping after ${sizes.conversationBudgetMs} ms once half are done`}; peers that rewrite the whole session on every append: ${sizes.peerConversation} appends); batches of ${sizes.batch} (up to ${sizes.batchRepeats} per round); list/count among ${sizes.queryN} sessions; sweep of ${sizes.sweepN} expired sessions (${sizes.sweepRounds} round(s); file targets: ${sizes.fileN} for both, as they scan one file per session).`,
    '',
    'Ratio = per-call time of the target / per-call time of the raw driver of the same backend (median ops/s of the rounds); below 1 means faster than the raw floor.',
  ];
  for (const workload of WORKLOADS.filter((w) => results.some((r) => r.workload === w))) {
    lines.push(
      '',
      `#### ${workload}`,
      '',
      '| target | calls | ops/s | p50 ms | p95 ms | p99 ms | ratio | notes |',
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of results.filter((x) => x.workload === workload)) {
      if (r.skipped !== undefined) {
        lines.push(`| ${r.target} | | | | | | | skipped: ${r.skipped} |`);
        continue;
      }
      lines.push(
        `| ${r.target} | ${fmt(r.ops)} | ${fmt(r.opsPerSec)} | ${fmt(r.p50Ms)} | ${fmt(r.p95Ms)} | ${fmt(r.p99Ms)} | ${r.ratio === undefined ? '' : `${fmt(r.ratio)}x`} | ${extraText(r)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** A horizontal bar chart of the Stowage targets' ratios, one group per workload. */
export function ratioChart(results: readonly WorkloadResult[]): string {
  const bars = results.filter((r) => r.kind === 'stowage' && r.ratio !== undefined);
  const rowHeight = 14;
  const labelWidth = 230;
  const plotWidth = 420;
  const cap = Math.max(2, ...bars.map((r) => Math.min(r.ratio ?? 0, 5)));
  const scale = plotWidth / cap;
  const height = bars.length * rowHeight + 40;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 70}" height="${height}" font-family="sans-serif" font-size="10">`,
    '<title>Stowage per-call time divided by the raw driver of the same backend</title>',
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="4" y="12">Stowage per-call time / raw driver (1.0 = raw floor; bars capped at ${cap})</text>`,
  ];
  bars.forEach((r, i) => {
    const y = 20 + i * rowHeight;
    const ratio = r.ratio ?? 0;
    const width = Math.max(1, Math.min(ratio, cap) * scale);
    const color = ratio <= 1.1 ? '#3a7d44' : ratio <= 1.5 ? '#d9a400' : '#c0392b';
    parts.push(
      `<text x="4" y="${y + 10}">${r.workload} · ${r.target.replace('stowage-', '')}</text>`,
      `<rect x="${labelWidth}" y="${y + 2}" width="${width.toFixed(1)}" height="${rowHeight - 4}" fill="${color}"/>`,
      `<text x="${(labelWidth + width + 4).toFixed(1)}" y="${y + 10}">${ratio}x</text>`,
    );
  });
  const one = labelWidth + scale;
  parts.push(
    `<line x1="${one}" y1="18" x2="${one}" y2="${height - 16}" stroke="black" stroke-dasharray="3,3"/>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

/** Replaces the text between a pair of README markers; fails loudly when they are missing. */
export function injectIntoReadme(
  readme: string,
  block: string,
  markers: readonly [string, string] = [START_MARKER, END_MARKER],
): string {
  const [startMarker, endMarker] = markers;
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${startMarker}`);
  return `${readme.slice(0, start + startMarker.length)}\n${block}\n${readme.slice(end)}`;
}
