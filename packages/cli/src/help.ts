import type { Command } from './command.js';

/** The help of one command: usage line, description and options. */
export function commandHelp(command: Command): string {
  const args = command.args.map((a) => `<${a}>`).join(' ');
  const lines = [
    `Usage: stowage ${command.name} ${args} [options]`,
    '',
    command.help,
    '',
    'Options:',
  ];
  const entries = Object.entries(command.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` <${o.value}>` : ''}`;
    return [flag, o.description] as const;
  });
  entries.push(['-h, --help', 'show this help']);
  const width = Math.max(...entries.map(([flag]) => flag.length)) + 2;
  for (const [flag, description] of entries) lines.push(`  ${flag.padEnd(width)}${description}`);
  if (command.examples?.length) {
    lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  }
  return lines.join('\n');
}

/** The top-level help: the command list, URL schemes, examples and exit codes. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: stowage <command> <url>... [options]',
    '',
    'Move, inspect, back up and check a Stowage backend.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Storage URLs:',
    '  memory:                      in this process only (empty at start)',
    '  sqlite:./app.db              SQLite file (sqlite:///abs/path.db for an absolute path)',
    '  file:./data                  folder of JSON files',
    '  postgres://user:pw@host/db   PostgreSQL (postgresql:// too); --schema picks the schema',
    '  redis://:pw@host:6379        Redis (rediss:// for TLS)',
    '  --namespace <name> works with every URL. Passwords in URLs and encryption keys are never',
    '  printed, errors included.',
    '',
    'Output: results on stdout (--json for one JSON object); progress and errors on stderr.',
    '',
    'Examples:',
    '  stowage doctor postgres://app@db.internal/app',
    '  stowage inspect sqlite:./app.db --json',
    '  stowage migrate sqlite:./app.db postgres://app@db.internal/app --verify',
    '  stowage export redis://127.0.0.1:6379 --out backup.jsonl',
    '',
    'Exit codes:',
    '  0  success',
    '  1  failure: backend error or unreachable, corrupt file, verify mismatch, failed check',
    '  2  usage error: bad command, option, URL, credentials or key file',
    '',
    'Run "stowage <command> --help" (or "stowage help <command>") for its options.',
    'Run "stowage --version" for the version.',
  ].join('\n');
}
