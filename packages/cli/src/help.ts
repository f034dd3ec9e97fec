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
  return lines.join('\n');
}

/** The top-level help: the command list and the URL schemes. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: stowage <command> [arguments] [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Storage URLs: memory:, sqlite:./app.db, file:./data, postgres://user@host/db, redis://host:6379',
    'Passwords in URLs are never printed. Run "stowage <command> --help" for its options.',
    'Exit codes: 0 ok, 1 failure, 2 usage error.',
  ].join('\n');
}
