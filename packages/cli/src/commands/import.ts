import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { importRecords } from '@stowage/core';
import { type Command, STORAGE_OPTIONS } from '../command.js';
import { checkExportFile, readExportRecords } from '../export-file.js';
import { adapterFor, closingAfter, targetOptions } from '../open-adapter.js';
import { UsageError } from '../usage-error.js';

/** Copies stdin to a private temporary file, so it can be checked before anything is written. */
async function spool(
  input: NodeJS.ReadableStream,
): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-import-'));
  const path = join(dir, 'import.jsonl');
  await pipeline(input, createWriteStream(path, { mode: 0o600 }));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** `stowage import <url> [--in file]`. */
export const importCommand: Command = {
  name: 'import',
  summary: 'restore a JSONL export into a backend (refuses a file whose checksum fails)',
  args: ['url'],
  help: `Checks the file's checksum line first and refuses a truncated or edited file before
writing anything. Then writes every session exactly as exported (replacing sessions with the
same ids; their messages are replaced too) and every kv entry with its expiry. Importing the
same file twice gives the same result. Without --in it reads stdin. A summary goes to stderr.`,
  examples: [
    'stowage import file:./restored --in backup.jsonl',
    'gunzip -c backup.jsonl.gz | stowage import postgres://app@db/app',
  ],
  options: {
    ...STORAGE_OPTIONS,
    in: { type: 'string', short: 'i', value: 'file', description: 'file to read (default: stdin)' },
  },
  async run({ args, options, io, err }) {
    const [url] = args as [string];
    const given = typeof options.in === 'string' ? options.in : undefined;
    let spooled: Awaited<ReturnType<typeof spool>> | undefined;
    if (!given) {
      const stdin = io.stdin ?? process.stdin;
      if ((stdin as { isTTY?: boolean }).isTTY) {
        throw new UsageError(
          'import reads an export from --in <file> or from piped stdin',
          'import',
        );
      }
      spooled = await spool(stdin);
    }
    const path = given ?? (spooled as { path: string }).path;
    try {
      const header = await checkExportFile(path);
      const adapter = await adapterFor(url, targetOptions(options));
      const counts = await closingAfter([adapter], () =>
        importRecords(adapter, readExportRecords(path)),
      );
      await err(
        `imported ${counts.sessions} sessions, ${counts.messages} messages, ${counts.kv} kv entries (exported from ${header.adapter})`,
      );
      return 0;
    } finally {
      await spooled?.remove();
    }
  },
};
