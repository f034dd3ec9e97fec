import { createStorage } from '@stowage/core';
import { type Command, JSON_OPTION, STORAGE_OPTIONS } from '../command.js';
import { adapterFor, targetOptions } from '../open-adapter.js';

/** Expired items removed per sweep call: bounded so one call never holds a lock for long. */
const SWEEP_BATCH = 1000;

/** `stowage sweep <url>`. */
export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'remove expired sessions, messages and kv entries now',
  args: ['url'],
  help: `Removes expired sessions (with their messages) and kv entries now, in batches of
${SWEEP_BATCH} until none is left: the work the background sweeper does over time. Expired
items are already invisible to reads; sweeping reclaims their space ("stowage inspect" shows
how many are waiting). Safe while the application runs. On Redis it also clears the index
entries of items whose keys the server already expired by itself.`,
  examples: [
    'stowage sweep sqlite:./app.db',
    'stowage sweep postgres://app@db/app --schema chat --json',
  ],
  options: { ...STORAGE_OPTIONS, ...JSON_OPTION },
  async run({ args, options, out }) {
    const [url] = args as [string];
    const storage = createStorage(await adapterFor(url, targetOptions(options)));
    try {
      let removed = 0;
      let batches = 0;
      for (;;) {
        const n = await storage.sweep({ limit: SWEEP_BATCH });
        removed += n;
        batches++;
        if (n < SWEEP_BATCH) break;
      }
      await out(
        options.json ? JSON.stringify({ removed, batches }) : `removed ${removed} expired items`,
      );
      return 0;
    } finally {
      await storage.close();
    }
  },
};
