import { adapterFromUrl, ConfigError, type StowageAdapter } from '@stowage/core';

const POSTGRES = /^postgres(ql)?:\/\//i;

/** Adapter options taken from the command line for one URL. */
export interface TargetOptions {
  namespace?: string | undefined;
  schema?: string | undefined;
}

/**
 * Builds the adapter for a storage URL with core's scheme table (`memory:`, `sqlite:`, `file:`,
 * `postgres://`, `redis://`), passing `--namespace` and, for PostgreSQL, `--schema`. Nothing
 * connects until the adapter is opened.
 */
export async function adapterFor(url: string, options: TargetOptions): Promise<StowageAdapter> {
  const adapterOptions: Record<string, unknown> = {};
  if (options.namespace !== undefined) adapterOptions.namespace = options.namespace;
  if (options.schema !== undefined) {
    if (!POSTGRES.test(url)) {
      throw new ConfigError('--schema applies to postgres:// URLs only');
    }
    adapterOptions.schema = options.schema;
  }
  return adapterFromUrl(url, adapterOptions);
}

/**
 * The `TargetOptions` of a command's parsed options, optionally for the target of a migration
 * (`prefix` `'to-'`): its own `--to-*` option, else the shared one. A shared `--schema` is
 * passed to a PostgreSQL target only, so `--schema` can describe a PostgreSQL source alone.
 */
export function targetOptions(
  options: Record<string, string | boolean | undefined>,
  prefix = '',
  url = '',
): TargetOptions {
  const pick = (name: string): string | undefined => {
    const value = options[`${prefix}${name}`] ?? options[name];
    return typeof value === 'string' ? value : undefined;
  };
  const own = options[`${prefix}schema`];
  const schema =
    prefix === '' || typeof own === 'string' || POSTGRES.test(url) ? pick('schema') : undefined;
  return { namespace: pick('namespace'), schema };
}

/**
 * Runs `fn`, then closes the adapters. When `fn` fails its error is the one reported and close
 * failures are secondary; when it succeeds, a failed close fails the command.
 */
export async function closingAfter<T>(
  adapters: readonly (StowageAdapter | undefined)[],
  fn: () => Promise<T>,
): Promise<T> {
  const open = adapters.filter((a): a is StowageAdapter => a !== undefined);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await Promise.allSettled(open.map((a) => a.close()));
    throw error;
  }
  await Promise.all(open.map((a) => a.close()));
  return result;
}
