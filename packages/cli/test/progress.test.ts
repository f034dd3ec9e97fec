import { describe, expect, it } from 'vitest';
import type { TextSink } from '../src/io.js';
import { ProgressReporter, progressLine } from '../src/progress.js';

function sink(isTTY: boolean): TextSink & { text: string } {
  const s = {
    text: '',
    isTTY,
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s;
}

describe('progress output', () => {
  it('formats phase, percentage, counts, rate and ETA', () => {
    expect(progressLine({ phase: 'sessions', done: 250, total: 1000, rate: 50 }, false)).toBe(
      'sessions  25.0%  250/1,000  50/s  ETA 0:15',
    );
    expect(progressLine({ phase: 'sessions', done: 500, total: 1000, rate: 1 }, true)).toBe(
      'sessions  [############------------]  50.0%  500/1,000  1/s  ETA 8:20',
    );
    expect(progressLine({ phase: 'kv', done: 1234, rate: 0 }, false)).toBe('kv        1,234  0/s');
  });

  it('prints plain lines off a terminal: the first of each phase, then at most one a second', () => {
    const out = sink(false);
    let now = 0;
    const reporter = new ProgressReporter(out, () => now);
    reporter.update({ phase: 'sessions', done: 1, total: 3, rate: 1 });
    now = 500;
    reporter.update({ phase: 'sessions', done: 2, total: 3, rate: 1 });
    now = 1600;
    reporter.update({ phase: 'sessions', done: 3, total: 3, rate: 1 });
    now = 1700;
    reporter.update({ phase: 'kv', done: 10, rate: 1 });
    reporter.finish();
    expect(
      out.text
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/).slice(0, 3).join(' ')),
    ).toEqual(['sessions 33.3% 1/3', 'sessions 100.0% 3/3', 'kv 10 1/s']);
  });

  it('redraws one line in place on a terminal and ends it when finished', () => {
    const out = sink(true);
    const reporter = new ProgressReporter(out, () => 0);
    reporter.update({ phase: 'sessions', done: 1, total: 2, rate: 1 });
    reporter.update({ phase: 'sessions', done: 2, total: 2, rate: 1 });
    reporter.finish();
    expect(out.text.match(/\r\u001b\[2K/g)).toHaveLength(2);
    expect(out.text.endsWith('\n')).toBe(true);
    expect(out.text.split('\n')).toHaveLength(2);
  });
});
