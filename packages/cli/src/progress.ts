import type { MigrationProgress } from '@stowage/core';
import type { TextSink } from './io.js';

const BAR_WIDTH = 24;
/** Plain (non-TTY) output prints at most one line per phase per this many ms. */
const PLAIN_INTERVAL_MS = 1000;

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** One progress line: phase, bar and percentage when the total is known, counts, rate, ETA. */
export function progressLine(p: MigrationProgress, bar: boolean): string {
  const parts = [p.phase.padEnd(8)];
  if (p.total !== undefined && p.total > 0) {
    const ratio = Math.min(1, p.done / p.total);
    if (bar) {
      const filled = Math.round(ratio * BAR_WIDTH);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
    }
    parts.push(`${(ratio * 100).toFixed(1)}%`, `${count(p.done)}/${count(p.total)}`);
  } else {
    parts.push(count(p.done));
  }
  parts.push(`${count(p.rate)}/s`);
  if (p.total !== undefined && p.rate > 0) {
    parts.push(`ETA ${duration((p.total - p.done) / p.rate)}`);
  }
  return parts.join('  ');
}

/**
 * Shows migration progress on stderr: a bar redrawn in place on a terminal, otherwise plain
 * lines (the first of each phase, then at most one a second) that read well in CI logs.
 */
export class ProgressReporter {
  private lastPhase: string | undefined;
  private lastLine = 0;
  private drawn = false;

  constructor(
    private readonly sink: TextSink,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Reports one progress event. */
  update(p: MigrationProgress): void {
    if (this.sink.isTTY) {
      if (this.lastPhase !== undefined && this.lastPhase !== p.phase) this.sink.write('\n');
      this.sink.write(`\r\u001b[2K${progressLine(p, true)}`);
      this.drawn = true;
      this.lastPhase = p.phase;
      return;
    }
    const now = this.clock();
    if (p.phase === this.lastPhase && now - this.lastLine < PLAIN_INTERVAL_MS) return;
    this.lastPhase = p.phase;
    this.lastLine = now;
    this.sink.write(`${progressLine(p, false)}\n`);
  }

  /** Ends the bar's line so later output starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.sink.write('\n');
    this.drawn = false;
  }
}
