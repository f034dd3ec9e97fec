import { fileURLToPath } from 'node:url';
import { pathFromUrl } from '@stowage/adapter-sqlite';

/**
 * Where a `sqlite:` or `file:` URL keeps its data (as given: relative paths stay relative), or
 * undefined for server URLs and an in-memory SQLite database.
 */
export function localPath(url: string): string | undefined {
  if (/^sqlite:/i.test(url)) {
    const path = pathFromUrl(url);
    return path === ':memory:' ? undefined : path;
  }
  if (/^file:/i.test(url)) {
    return url.startsWith('file://') ? fileURLToPath(url) : decodeURIComponent(url.slice(5));
  }
  return undefined;
}
