import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { allCases, memoryBackend, runAdapterContract } from '../src/index.js';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/memory-contract.mjs', import.meta.url));

/** Reads a `# name N` summary line of node's TAP reporter. */
function summary(tap: string, name: string): number {
  const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap);
  if (!match) throw new Error(`no "# ${name}" line in the node --test output:\n${tap}`);
  return Number(match[1]);
}

it('the node:test binding runs every applicable case of the built package and all pass', async () => {
  const applicable = (await runAdapterContract({ name: 'memory', ...memoryBackend() })).filter(
    (r) => r.status !== 'skipped',
  ).length;
  expect(applicable).toBe(allCases.length);
  // A failing run rejects with the exit code and output, which fails this test.
  const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', fixture], {
    maxBuffer: 16 * 1024 * 1024,
  });
  expect(summary(stdout, 'fail')).toBe(0);
  expect(summary(stdout, 'skipped')).toBe(0);
  expect(summary(stdout, 'pass')).toBe(applicable);
}, 120_000);
