import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchEnv, createBenchEnv } from './env.js';
import { JOBS_END_MARKER, JOBS_START_MARKER, jobsReport, runJobsBench } from './jobs.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { injectIntoReadme, markdownReport, ratioChart } from './report.js';
import { runAll } from './runner.js';
import { runScale, type ScaleResult } from './scale/run-scale.js';
import { SCALE_END_MARKER, SCALE_START_MARKER, scaleReport } from './scale/scale-report.js';
import { scaleSpecs } from './scale/scale-targets.js';
import { type Mode, SIZES, type Sizes } from './sizes.js';
import { allSpecs } from './specs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stdout.write(`${line}\n`);

function parseMode(value: string | undefined): Mode {
  if (value === undefined || value === 'quick') return 'quick';
  if (value === 'full' || value === 'scale' || value === 'keys' || value === 'tiny') return value;
  throw new Error(`unknown mode ${value}: use quick, full, scale or keys`);
}

/** A filtered run writes beside the complete results instead of over them. */
function resultName(mode: string, only: string | undefined): string {
  return only === undefined ? mode : `${mode}-${only.replace(/[^a-z0-9-]/gi, '_')}`;
}

/** Whether a target is in the run: `only` is a comma-separated list of name fragments. */
function picked(name: string, only: string | undefined): boolean {
  return only === undefined || only.split(',').some((part) => name.includes(part));
}

async function updateReadme(block: string, markers?: readonly [string, string]): Promise<void> {
  const readmePath = join(root, 'README.md');
  await writeFile(readmePath, injectIntoReadme(await readFile(readmePath, 'utf8'), block, markers));
}

/** The side-by-side workloads on every target; writes results/<mode>.json, .svg and the README. */
async function mainWorkloads(
  mode: Mode,
  env: BenchEnv,
  machine: MachineInfo,
  sizes: Sizes,
  only: string | undefined,
  scale: ScaleResult[] | undefined,
): Promise<void> {
  const specs = allSpecs(env).filter((s) => picked(s.name, only));
  const results = await runAll(specs, sizes, log);
  const report = markdownReport(mode, machine, sizes, results);
  const name = resultName(mode, only);
  await writeFile(
    join(root, 'results', `${name}.json`),
    `${JSON.stringify({ mode, machine, sizes, results, ...(scale ? { scale } : {}) }, null, 2)}\n`,
  );
  await writeFile(join(root, 'results', `${name}.svg`), ratioChart(results));
  log(report);
  // Only complete runs go into the README; a filtered run would show a partial table.
  if (mode !== 'tiny' && only === undefined) {
    await updateReadme(`![Stowage ratios to the raw drivers](results/${mode}.svg)\n\n${report}`);
  }
}

/** The scale workloads (PostgreSQL and SQLite); writes results/scale.json and the README. */
async function scaleWorkloads(
  mode: Mode,
  env: BenchEnv,
  machine: MachineInfo,
  sizes: Sizes,
  only: string | undefined,
): Promise<ScaleResult[] | undefined> {
  const scale = sizes.scale;
  if (scale === undefined) return undefined;
  const specs = scaleSpecs(env).filter((s) => picked(s.name, only));
  log('scale workloads:');
  const results = await runScale(specs, scale, log);
  const report = scaleReport(machine, scale, results);
  log(report);
  if (mode === 'tiny') return results;
  await writeFile(
    join(root, 'results', `${resultName('scale', only)}.json`),
    `${JSON.stringify({ machine, sizes: scale, results }, null, 2)}\n`,
  );
  if (only === undefined) await updateReadme(report, [SCALE_START_MARKER, SCALE_END_MARKER]);
  return results;
}

/**
 * The jobs/s comparison; writes results/jobs-<mode>.json and, unless tiny, the README's jobs
 * section. The machine's load is read when this part starts, after the workloads before it.
 */
async function jobsWorkloads(mode: Mode, env: BenchEnv): Promise<void> {
  const machine = machineInfo();
  const results = await runJobsBench(env, mode, join(root, 'results'), log);
  if (mode !== 'tiny') {
    await updateReadme(jobsReport(results, { machine, mode }), [
      JOBS_START_MARKER,
      JOBS_END_MARKER,
    ]);
  }
}

/** `node dist/main.js jobs [quick|full]`: only the jobs/s comparison. */
async function jobsOnly(): Promise<void> {
  const mode = parseMode(process.argv[3]);
  const env = await createBenchEnv();
  log(`stowage bench jobs (${mode}): run ${env.runId}`);
  await mkdir(join(root, 'results'), { recursive: true });
  try {
    await jobsWorkloads(mode, env);
  } finally {
    await env.cleanup();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'jobs') return jobsOnly();
  const mode = parseMode(process.argv[2]);
  const only = process.argv[3];
  const machine = machineInfo();
  const sizes = SIZES[mode];
  const env = await createBenchEnv();
  log(
    `stowage bench ${mode}: run ${env.runId}, ${machine.cpu} x${machine.cores}, load ${machine.loadAverage.join(' ')}`,
  );
  await mkdir(join(root, 'results'), { recursive: true });
  try {
    // Scale first in full mode: its million-row tables are the part most worth having if a
    // long run is cut short.
    const scale =
      mode === 'quick' ? undefined : await scaleWorkloads(mode, env, machine, sizes, only);
    if (mode !== 'scale') await mainWorkloads(mode, env, machine, sizes, only, scale);
    if (mode !== 'scale' && mode !== 'keys' && only === undefined) await jobsWorkloads(mode, env);
  } finally {
    await env.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
