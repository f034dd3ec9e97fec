import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendInspector } from '@stowage/contract-tests';
import { encodeName } from '../src/names.js';

/** A fresh empty folder under the system temp folder. */
export function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `stowage-file-${label}-`));
}

/** Removes a folder made by `tempDir`. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** A random namespace name that the adapter accepts. */
export function randomNamespace(): string {
  return `ns-${randomBytes(6).toString('hex')}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Reads a namespace folder directly, without the adapter: which session and kv files exist
 * and how many messages sit in a session's log segments.
 */
export function fileInspector(root: string): BackendInspector {
  return {
    sessionExists: (id) => exists(join(root, 'sessions', `${encodeName(id)}.json`)),
    kvExists: (key) => exists(join(root, 'kv', `${encodeName(key)}.json`)),
    async messageCount(sessionId) {
      const folder = join(root, 'messages', encodeName(sessionId));
      if (!(await exists(folder))) return 0;
      let lines = 0;
      for (const name of await readdir(folder)) {
        if (!name.endsWith('.jsonl')) continue;
        const text = await readFile(join(folder, name), 'utf8');
        // A plain line holds one message; a frame line (`{"n":..,"m":[...]}`) one append's.
        for (const line of text.split('\n').filter((l) => l.length > 0)) {
          const value = JSON.parse(line.slice(17)) as unknown;
          lines += typeof value === 'string' ? 1 : (value as { m: unknown[] }).m.length;
        }
      }
      return lines;
    },
    async rawSession(id) {
      const path = join(root, 'sessions', `${encodeName(id)}.json`);
      return (await exists(path)) ? readFile(path, 'utf8') : undefined;
    },
  };
}
