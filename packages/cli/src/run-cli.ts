import { parseArgs } from 'node:util';
import { isStowageError } from '@stowage/core';
import type { Command, CommandContext } from './command.js';
import {
  doctorCommand,
  exportCommand,
  importCommand,
  inspectCommand,
  migrateCommand,
  rekeyCommand,
  sweepCommand,
} from './commands/index.js';
import { commandHelp, mainHelp } from './help.js';
import { type CliIo, processIo, writeLine } from './io.js';
import { Secrets } from './secrets.js';
import { UsageError } from './usage-error.js';
import { VERSION } from './version.js';

const COMMANDS: readonly Command[] = [
  migrateCommand,
  inspectCommand,
  exportCommand,
  importCommand,
  sweepCommand,
  doctorCommand,
  rekeyCommand,
];

/**
 * Exit codes of the CLI: `ok` 0; `failure` 1 (the backend failed or is unreachable, a file is
 * corrupt, `migrate --verify` found differences, a `doctor` check failed); `usage` 2 (the command
 * line is wrong: unknown command or option, missing argument, bad URL or option value, bad
 * credentials or key file, a `--resume` for another source; any `ConfigError`).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function parse(
  command: Command,
  argv: readonly string[],
): { args: string[]; options: CommandContext['options'] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(command.options)) {
    options[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs reports unknown options and missing values as TypeErrors with ERR_PARSE_ARGS_* codes.
    throw new UsageError((error as Error).message, command.name);
  }
  const values = parsed.values as CommandContext['options'];
  if (values.help) return { args: [], options: values };
  const { positionals } = parsed;
  if (positionals.length < command.args.length) {
    const missing = command.args.slice(positionals.length).map((a) => `<${a}>`);
    throw new UsageError(`missing ${missing.join(' ')}`, command.name);
  }
  if (positionals.length > command.args.length) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[command.args.length])}`,
      command.name,
    );
  }
  return { args: positionals, options: values };
}

/**
 * Runs the `stowage` command line with `argv` (the arguments after the program name) and
 * resolves with the exit code (`EXIT`): 0 ok, 1 failure, 2 usage error. It never calls `process.exit`,
 * so it can run inside tests and other programs; output goes to `io` (default: the process's
 * streams) with passwords and keys scrubbed.
 *
 * @example
 * ```ts fragment
 * import { runCli } from '@stowage/cli';
 * process.exitCode = await runCli(['inspect', 'sqlite:./app.db', '--json']);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const secrets = new Secrets();
  for (const arg of argv) secrets.addUrl(arg);
  const out = (line: string) => writeLine(io.stdout, secrets.scrub(line));
  const err = (line: string) => writeLine(io.stderr, secrets.scrub(line));
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    await out(VERSION);
    return EXIT.ok;
  }
  if (name === 'help' && rest.length > 0) return runCli([...rest, '--help'], io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await (name === undefined ? err : out)(mainHelp(COMMANDS));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    const { args, options } = parse(command, rest);
    if (options.help) {
      await out(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run({ args, options, io, secrets, out, err });
  } catch (error) {
    if (error instanceof UsageError) {
      await err(`stowage: ${error.message}`);
      await err(
        error.command
          ? `Run "stowage ${error.command} --help" for usage.`
          : 'Run "stowage --help" for the commands.',
      );
      return EXIT.usage;
    }
    if (isStowageError(error)) {
      await err(
        `stowage ${command?.name ?? ''}: ${error.name} [${error.code}]${error.adapter ? ` (${error.adapter})` : ''}: ${error.message}`,
      );
      // A bad URL, option, key file or checkpoint source: fixed on the command line, not by retrying.
      if (error.code === 'CONFIG') return EXIT.usage;
    } else {
      await err(
        `stowage ${command?.name ?? ''}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return EXIT.failure;
  }
}
