import { migrate, type VerifyReport } from '@stowage/core';
import { type Command, JSON_OPTION, STORAGE_OPTIONS } from '../command.js';
import { adapterFor, closingAfter, targetOptions } from '../open-adapter.js';
import { ProgressReporter } from '../progress.js';
import { sourceId } from '../source-id.js';
import { UsageError } from '../usage-error.js';

/** Parses a positive integer option, or fails with a usage error. */
export function intOption(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${name} must be a positive integer, got ${String(value)}`);
  }
  return n;
}

function verifyLines(report: VerifyReport): string[] {
  const { sessions: s, kv } = report;
  const lines = [
    `verify: ${report.ok ? 'OK' : 'MISMATCH'}`,
    `  sessions  source ${s.source}  target ${s.target}  missing ${s.missing}  extra ${s.extra}  different ${s.different}`,
    `  kv        source ${kv.source}  target ${kv.target}  missing ${kv.missing}  extra ${kv.extra}  different ${kv.different}`,
    `  checksum  source ${report.sourceChecksum.slice(0, 16)}  target ${report.targetChecksum.slice(0, 16)}`,
  ];
  for (const p of report.problems) lines.push(`  ${p.problem} ${p.kind} ${JSON.stringify(p.id)}`);
  return lines;
}

/** `stowage migrate <from-url> <to-url>`. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'copy sessions, messages and kv from one backend to another, exactly',
  args: ['from-url', 'to-url'],
  help: `Copies every live session (same versions, timestamps and expiry), its messages and every
kv entry with its expiry, in batches with bounded memory. Both backends must use the same
codec: values are copied as stored. Copy a quiescent source (or move live traffic with
mirrored() first). Running it again is safe: every write replaces what it copies.

After every batch a checkpoint goes to the target's kv, naming the source (its URL without
credentials, namespace and schema). --resume continues from it after a crash or Ctrl-C, and
refuses (exit code 2) a checkpoint left by a copy from another source.

Progress goes to stderr (a bar on a terminal, plain lines otherwise); the result to stdout.
--namespace and --schema describe the source, and the target too unless --to-namespace or
--to-schema say otherwise.
Exit codes: 0 copied (and verified), 1 failure or --verify found differences, 2 usage error.`,
  examples: [
    'stowage migrate sqlite:./app.db postgres://app@db.internal/app --verify',
    'stowage migrate sqlite:./app.db postgres://app@db.internal/app --resume',
    'stowage migrate redis://127.0.0.1:6379 sqlite:./copy.db --namespace chat --json',
  ],
  options: {
    ...STORAGE_OPTIONS,
    'to-namespace': {
      type: 'string',
      value: 'name',
      description: 'namespace of the target (default: --namespace)',
    },
    'to-schema': {
      type: 'string',
      value: 'name',
      description: 'PostgreSQL schema of the target (default: --schema)',
    },
    'batch-size': {
      type: 'string',
      value: 'n',
      description: 'sessions or kv entries per batch (default 500)',
    },
    resume: { type: 'boolean', description: 'continue from the checkpoint of an interrupted run' },
    verify: {
      type: 'boolean',
      description: 'compare source and target afterwards (counts, checksums, ids)',
    },
    ...JSON_OPTION,
  },
  async run({ args, options, secrets, out, err, io }) {
    const [fromUrl, toUrl] = args as [string, string];
    const batchSize = intOption(options['batch-size'], 'batch-size');
    const from = await adapterFor(fromUrl, targetOptions(options));
    const to = await adapterFor(toUrl, targetOptions(options, 'to-', toUrl));
    const progress = new ProgressReporter(io.stderr);
    const controller = new AbortController();
    const stop = () => controller.abort(new Error('interrupted; rerun with --resume to continue'));
    process.once('SIGINT', stop);
    try {
      return await closingAfter([from, to], async () => {
        await err(`migrating ${secrets.show(fromUrl)} -> ${secrets.show(toUrl)}`);
        const started = performance.now();
        const result = await migrate(from, to, {
          ...(batchSize === undefined ? {} : { batchSize }),
          source: sourceId(fromUrl, targetOptions(options)),
          resume: options.resume === true,
          verify: options.verify === true,
          signal: controller.signal,
          onProgress: (p) => progress.update(p),
        });
        progress.finish();
        const seconds = (performance.now() - started) / 1000;
        if (options.json) {
          await out(JSON.stringify({ ...result, seconds }));
        } else {
          await out(
            `copied ${result.sessions} sessions, ${result.messages} messages, ${result.kv} kv entries in ${seconds.toFixed(1)} s${result.resumed ? ' (resumed)' : ''}`,
          );
          if (result.expired > 0)
            await out(`${result.expired} sessions expired while being copied`);
          if (result.verify) for (const line of verifyLines(result.verify)) await out(line);
        }
        return result.verify && !result.verify.ok ? 1 : 0;
      });
    } finally {
      progress.finish();
      process.off('SIGINT', stop);
    }
  },
};
