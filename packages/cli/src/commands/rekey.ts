import { readFile } from 'node:fs/promises';
import { ConfigError, encrypted, type RekeyReport, rekey } from '@stowage/core';
import { type Command, JSON_OPTION, STORAGE_OPTIONS } from '../command.js';
import { adapterFor, targetOptions } from '../open-adapter.js';
import { UsageError } from '../usage-error.js';
import { intOption } from './migrate.js';

/** Parses `{ "<key id>": "<hex or base64 key>", ... }`. */
function parseKeys(text: string, source: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not JSON; expected {"<key id>": "<key>", ...}`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${source} must be a JSON object of key id to key`);
  }
  const keys: Record<string, string> = {};
  for (const [id, key] of Object.entries(value)) {
    if (typeof key !== 'string')
      throw new ConfigError(`Key ${JSON.stringify(id)} in ${source} must be a string`);
    keys[id] = key;
  }
  return keys;
}

function reportLines(r: RekeyReport): string[] {
  const row = (name: string, c: RekeyReport['sessions']) =>
    `${name.padEnd(9)} scanned ${c.scanned}  rekeyed ${c.rekeyed}  current ${c.current}  left ${c.left}`;
  const lines = [
    row('sessions', r.sessions),
    row('messages', r.messages),
    `${row('kv', r.kv)}  counters ${r.kv.counters}`,
    r.complete
      ? 'complete: nothing readable is left under an old key'
      : 'NOT complete: values remain under old keys',
  ];
  for (const f of r.failures) lines.push(`  failed ${f.kind} ${JSON.stringify(f.id)} ${f.code}`);
  return lines;
}

/** `stowage rekey <url>`. */
export const rekeyCommand: Command = {
  name: 'rekey',
  summary: 're-encrypt values under the current key of an encrypted() codec',
  args: ['url'],
  help: `Rewrites sessions (and with --rewrite-kv, kv entries) stored under an old key of the
encrypted() codec so they use the current one; messages are counted. Keys come from a JSON
object {"<key id>": "<64 hex or 44 base64 characters>"} in the environment variable named by
--keys-env (default STOWAGE_KEYS) or in --keys-file; never on the command line. The report
says whether anything is left under an old key (messages cannot be rewritten, so they are
left until they expire): retire a key only when it says complete.
Exit codes: 0 done, 1 some values could not be read or rewritten, 2 missing or bad keys.`,
  examples: [
    `STOWAGE_KEYS='{"k1":"<old key>","k2":"<new key>"}' stowage rekey sqlite:./app.db --current k2`,
    'stowage rekey postgres://app@db/app --keys-file /run/secrets/stowage-keys.json --current k2',
  ],
  options: {
    ...STORAGE_OPTIONS,
    'keys-env': {
      type: 'string',
      value: 'name',
      description: 'environment variable holding the keys (default STOWAGE_KEYS)',
    },
    'keys-file': { type: 'string', value: 'file', description: 'file holding the keys as JSON' },
    current: {
      type: 'string',
      value: 'id',
      description: 'id of the key that encrypts (required with several keys)',
    },
    context: {
      type: 'string',
      value: 'text',
      description: "the codec's context (default 'stowage')",
    },
    'accept-plaintext': {
      type: 'boolean',
      description: 'encrypt values that are still plain JSON',
    },
    'rewrite-kv': { type: 'boolean', description: 'rewrite kv entries too, keeping their expiry' },
    'batch-size': { type: 'string', value: 'n', description: 'items per round trip (default 100)' },
    ...JSON_OPTION,
  },
  async run({ args, options, io, secrets, out }) {
    const [url] = args as [string];
    let keys: Record<string, string>;
    if (typeof options['keys-file'] === 'string') {
      keys = parseKeys(await readFile(options['keys-file'], 'utf8'), options['keys-file']);
    } else {
      const name = typeof options['keys-env'] === 'string' ? options['keys-env'] : 'STOWAGE_KEYS';
      const text = (io.env ?? process.env)[name];
      if (!text) throw new UsageError(`rekey needs keys: set ${name} or pass --keys-file`, 'rekey');
      keys = parseKeys(text, `$${name}`);
    }
    for (const key of Object.values(keys)) secrets.add(key);
    const codec = encrypted({
      keys,
      ...(typeof options.current === 'string' ? { current: options.current } : {}),
      ...(typeof options.context === 'string' ? { context: options.context } : {}),
      acceptPlaintext: options['accept-plaintext'] === true,
    });
    const batchSize = intOption(options['batch-size'], 'batch-size');
    const adapter = await adapterFor(url, targetOptions(options));
    const report = await rekey(adapter, codec, {
      ...(batchSize === undefined ? {} : { batchSize }),
      rewriteKv: options['rewrite-kv'] === true,
    });
    if (options.json) await out(JSON.stringify(report));
    else for (const line of reportLines(report)) await out(line);
    return report.failures.length === 0 ? 0 : 1;
  },
};
