import { ConfigError, redactUrl } from './errors.js';
import { memoryAdapter } from './memory-adapter.js';
import type { StowageAdapter } from './types.js';

/** What an adapter package exports so `createStorage(url)` can load it. */
export interface AdapterModule {
  /** Builds an adapter from a URL and the storage's `adapterOptions` plus `namespace`. */
  adapterFromUrl(url: string, options: Record<string, unknown>): StowageAdapter;
}

/** URL scheme → the package that implements it, and the driver that package needs. */
const PACKAGES: Record<string, { pkg: string; driver: string }> = {
  sqlite: { pkg: '@stowage/adapter-sqlite', driver: 'better-sqlite3' },
  file: { pkg: '@stowage/adapter-file', driver: '' },
  postgres: { pkg: '@stowage/adapter-postgres', driver: 'pg' },
  postgresql: { pkg: '@stowage/adapter-postgres', driver: 'pg' },
  redis: { pkg: '@stowage/adapter-redis', driver: 'ioredis' },
  rediss: { pkg: '@stowage/adapter-redis', driver: 'ioredis' },
};

/** The scheme of a storage URL (`'sqlite'` for `sqlite:./app.db`), or a `ConfigError`. */
export function schemeOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!match) {
    throw new ConfigError(
      `Storage URL ${JSON.stringify(redactUrl(url))} has no scheme; use memory:, sqlite:, file:, postgres:// or redis://`,
    );
  }
  return (match[1] as string).toLowerCase();
}

function isModuleNotFound(error: unknown, pkg: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String((error as Error).message).includes(pkg)
  );
}

/**
 * Loads the adapter package for the URL's scheme and builds an adapter from it. A missing
 * package is a `ConfigError` that says what to install.
 */
export async function adapterFromUrl(
  url: string,
  options: Record<string, unknown>,
): Promise<StowageAdapter> {
  const scheme = schemeOf(url);
  if (scheme === 'memory') return memoryAdapter();
  const entry = PACKAGES[scheme];
  if (!entry) {
    throw new ConfigError(
      `Unknown storage URL scheme "${scheme}:"; use memory:, sqlite:, file:, postgres:// or redis://`,
    );
  }
  let mod: Partial<AdapterModule>;
  try {
    mod = (await import(entry.pkg)) as Partial<AdapterModule>;
  } catch (error) {
    if (isModuleNotFound(error, entry.pkg)) {
      const install = [entry.pkg, entry.driver].filter(Boolean).join(' ');
      throw new ConfigError(
        `The ${scheme}: scheme needs ${entry.pkg}; install it with: npm install ${install}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  if (typeof mod.adapterFromUrl !== 'function') {
    throw new ConfigError(
      `${entry.pkg} does not export adapterFromUrl; upgrade it to match @stowage/core`,
    );
  }
  return mod.adapterFromUrl(url, options);
}
