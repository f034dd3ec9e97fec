import type { CliIo } from './io.js';
import type { Secrets } from './secrets.js';

/** An option of a command, as `node:util` `parseArgs` takes it, with its help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Value name shown in help, for string options. */
  value?: string;
  description: string;
}

/** What a command receives once its arguments are parsed. */
export interface CommandContext {
  /** Positional arguments, in order, all required ones present. */
  args: string[];
  /** Option values by name. */
  options: Record<string, string | boolean | undefined>;
  io: CliIo;
  secrets: Secrets;
  /** Writes a line of output to stdout (secrets scrubbed). */
  out(line: string): Promise<void>;
  /** Writes a line to stderr (secrets scrubbed). */
  err(line: string): Promise<void>;
}

/** One `stowage <command>`. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Names of the required positional arguments, for example `['from-url', 'to-url']`. */
  args: string[];
  /** Longer help text shown under the usage line. */
  help: string;
  /** Example command lines, shown last in the help. */
  examples?: string[];
  options: Record<string, OptionSpec>;
  /** Runs the command and resolves with its exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** Options every command that opens a storage takes. */
export const STORAGE_OPTIONS: Record<string, OptionSpec> = {
  namespace: {
    type: 'string',
    value: 'name',
    description: "namespace inside the backend (default: the adapter's own)",
  },
  schema: { type: 'string', value: 'name', description: 'PostgreSQL schema (postgres:// only)' },
};

/** The `--json` option. */
export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print the result as JSON' },
};
