import { fileURLToPath } from 'node:url';
import { ConfigError, type StowageAdapter } from '@stowage/core';
import { ADAPTER } from './errors.js';
import { fileAdapter } from './file-adapter.js';
import type { FileAdapterOptions } from './options.js';

/**
 * Builds a file adapter from a storage URL: `file:./data` (relative to the working folder)
 * or `file:///abs/dir`. `options` are the storage's `adapterOptions` plus `namespace`; they
 * take the `fileAdapter` options except `dir`, which comes from the URL.
 */
export function adapterFromUrl(url: string, options: Record<string, unknown>): StowageAdapter {
  if (!/^file:/i.test(url)) {
    throw new ConfigError('The file adapter takes file: URLs such as file:./data', {
      adapter: ADAPTER,
    });
  }
  let dir: string;
  try {
    dir = url.startsWith('file://') ? fileURLToPath(url) : decodeURIComponent(url.slice(5));
  } catch (error) {
    throw new ConfigError(`Storage URL ${JSON.stringify(url)} is not a valid file: URL`, {
      adapter: ADAPTER,
      cause: error,
    });
  }
  return fileAdapter({ ...(options as Partial<FileAdapterOptions>), dir });
}
