import { resolve } from 'node:path';
import { localPath } from './local-path.js';
import type { TargetOptions } from './open-adapter.js';

/** Query parameters left out of a source's name: anything that may hold a credential. */
const SECRET_PARAM = /pass|secret|token|key|auth|cred/i;

/** A server URL without its user, password and credential-like parameters. */
function withoutCredentials(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparsable here means the adapter will refuse it too; keep only what precedes any '@'.
    return url.replace(/\/\/[^/]*@/, '//');
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.delete(name);
  }
  return parsed.toString();
}

/**
 * Names a migration's source for its checkpoint, so `--resume` can refuse a checkpoint left by
 * a copy from elsewhere: the URL without credentials (local paths made absolute, so the working
 * folder does not matter) plus `--namespace` and `--schema` when given. It is stored in the
 * target in clear, so it never holds a password.
 */
export function sourceId(url: string, options: TargetOptions): string {
  const path = localPath(url);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
  const parts = [path === undefined ? withoutCredentials(url) : `${scheme}:${resolve(path)}`];
  if (options.namespace !== undefined) parts.push(`namespace=${options.namespace}`);
  if (options.schema !== undefined) parts.push(`schema=${options.schema}`);
  return parts.join(' ');
}
