import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { exportRecords } from '@stowage/core';
import { type Command, STORAGE_OPTIONS } from '../command.js';
import { EXPORT_FORMAT, EXPORT_VERSION, ExportWriter } from '../export-file.js';
import { writeLine } from '../io.js';
import { adapterFor, closingAfter, targetOptions } from '../open-adapter.js';

/** `stowage export <url> [--out file]`. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'write every session, message and kv entry to a JSONL file with a checksum',
  args: ['url'],
  help: `Writes one JSON line per session (exactly as stored, values still encoded), per chunk
of its messages and per kv entry with its expiry, then a SHA-256 checksum line. The file
restores with "stowage import" on any backend using the same codec. Without --out it goes to
stdout; --out never overwrites an existing file. A summary goes to stderr. Expired items are
left out. Encrypted values stay encrypted: the file holds no key.`,
  examples: [
    'stowage export sqlite:./app.db --out backup.jsonl',
    'stowage export postgres://app@db/app | gzip > backup.jsonl.gz',
  ],
  options: {
    ...STORAGE_OPTIONS,
    out: {
      type: 'string',
      short: 'o',
      value: 'file',
      description: 'file to write (default: stdout)',
    },
  },
  async run({ args, options, io, err }) {
    const [url] = args as [string];
    const adapter = await adapterFor(url, targetOptions(options));
    const path = typeof options.out === 'string' ? options.out : undefined;
    const file = path ? createWriteStream(path, { flags: 'wx' }) : undefined;
    const sink = file ?? io.stdout;
    try {
      const counts = await closingAfter([adapter], async () => {
        const writer = new ExportWriter((line) => writeLine(sink, line));
        const tally = { session: 0, messages: 0, kv: 0 };
        await writer.line({
          format: EXPORT_FORMAT,
          version: EXPORT_VERSION,
          adapter: adapter.name,
          exportedAt: Date.now(),
        });
        for await (const record of exportRecords(adapter)) {
          tally[record.kind] += record.kind === 'messages' ? record.items.length : 1;
          await writer.line(record);
        }
        const checksum = await writer.end();
        return { ...tally, checksum };
      });
      if (file) {
        file.end();
        await once(file, 'finish');
      }
      await err(
        `exported ${counts.session} sessions, ${counts.messages} messages, ${counts.kv} kv entries${path ? ` to ${path}` : ''} (sha256 ${counts.checksum.sha256.slice(0, 16)}…)`,
      );
      return 0;
    } catch (error) {
      file?.destroy();
      throw error;
    }
  },
};
