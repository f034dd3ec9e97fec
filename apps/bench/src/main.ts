import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchEnv } from './env.js';
import { machineInfo } from './machine.js';
import { injectIntoReadme, markdownReport, ratioChart } from './report.js';
import { runAll } from './runner.js';
import { type Mode, SIZES } from './sizes.js';
import { allSpecs } from './specs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseMode(value: string | undefined): Mode {
  if (value === undefined || value === 'quick') return 'quick';
  if (value === 'full' || value === 'tiny') return value;
  throw new Error(`unknown mode ${value}: use quick or full`);
}

async function main(): Promise<void> {
  const mode = parseMode(process.argv[2]);
  const only = process.argv[3];
  const machine = machineInfo();
  const sizes = SIZES[mode];
  const env = await createBenchEnv();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `stowage bench ${mode}: run ${env.runId}, ${machine.cpu} x${machine.cores}, load ${machine.loadAverage.join(' ')}`,
  );
  let results: Awaited<ReturnType<typeof runAll>>;
  try {
    const specs = allSpecs(env).filter((s) => only === undefined || s.name.includes(only));
    results = await runAll(specs, sizes, log);
  } finally {
    await env.cleanup();
  }
  const report = markdownReport(mode, machine, sizes, results);
  await mkdir(join(root, 'results'), { recursive: true });
  await writeFile(
    join(root, 'results', `${mode}.json`),
    `${JSON.stringify({ mode, machine, sizes, results }, null, 2)}\n`,
  );
  await writeFile(join(root, 'results', `${mode}.svg`), ratioChart(results));
  log(report);
  // Only complete runs go into the README; a filtered run would show a partial table.
  if (mode !== 'tiny' && only === undefined) {
    const readmePath = join(root, 'README.md');
    const block = `![Stowage ratios to the raw drivers](results/${mode}.svg)\n\n${report}`;
    await writeFile(readmePath, injectIntoReadme(await readFile(readmePath, 'utf8'), block));
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
