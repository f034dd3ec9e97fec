import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pathFromUrl } from '@stowage/adapter-sqlite';
import { createStorage, isStowageError } from '@stowage/core';
import { type Command, JSON_OPTION, STORAGE_OPTIONS } from '../command.js';
import { adapterFor, targetOptions } from '../open-adapter.js';
import { serverClockSkew } from '../server-clock.js';

/** One finding of `doctor`. */
export interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

/** Clock skew above this is worth a warning (ms). */
const SKEW_WARN_MS = 2000;
const PROBE_TIMEOUT_MS = 5000;

function message(error: unknown): string {
  if (isStowageError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Where a local URL keeps its data, so doctor can check it exists without creating it. */
function localPath(url: string): string | undefined {
  if (/^sqlite:/i.test(url)) {
    const path = pathFromUrl(url);
    return path === ':memory:' ? undefined : path;
  }
  if (/^file:/i.test(url)) {
    return url.startsWith('file://') ? fileURLToPath(url) : decodeURIComponent(url.slice(5));
  }
  return undefined;
}

/** Runs the checks in order; later ones are skipped when the backend cannot be reached. */
export async function diagnose(
  url: string,
  options: Record<string, string | boolean | undefined>,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let adapter: Awaited<ReturnType<typeof adapterFor>>;
  try {
    adapter = await adapterFor(url, targetOptions(options));
    const path = localPath(url);
    if (path !== undefined && !existsSync(path)) {
      checks.push({
        name: 'config',
        status: 'fail',
        detail: `${path} does not exist (it would be created on first use)`,
      });
      return checks;
    }
    checks.push({ name: 'config', status: 'ok', detail: `${adapter.name} adapter` });
  } catch (error) {
    checks.push({ name: 'config', status: 'fail', detail: message(error) });
    return checks;
  }
  if (adapter.name === 'memory') {
    checks.push({
      name: 'config',
      status: 'warn',
      detail: 'memory: is private to one process; there is nothing to check',
    });
  }
  const storage = createStorage(adapter, { timeout: PROBE_TIMEOUT_MS });
  try {
    const health = await storage.health();
    if (!health.ok) {
      checks.push({
        name: 'connectivity',
        status: 'fail',
        detail: `${String(health.details.code)}: ${String(health.details.error)}`,
      });
      return checks;
    }
    checks.push({
      name: 'connectivity',
      status: 'ok',
      detail: `answered in ${health.latencyMs.toFixed(1)} ms`,
    });
    const { details } = health;
    if (details.schemaVersion !== undefined) {
      checks.push({
        name: 'schema',
        status: 'ok',
        detail: `schema version ${String(details.schemaVersion)}`,
      });
    }
    for (const key of ['sweepError', 'lastError']) {
      const value = details[key];
      if (typeof value === 'string' && value !== '') {
        checks.push({ name: 'background', status: 'warn', detail: `${key}: ${value}` });
      }
    }
    const caps = await storage.capabilities();
    if (!caps.persistent) {
      checks.push({
        name: 'durability',
        status: 'warn',
        detail: 'data does not survive a restart',
      });
    }
  } finally {
    await storage.close();
  }
  try {
    const skew = await serverClockSkew(url, PROBE_TIMEOUT_MS);
    if (skew !== undefined) {
      const ms = Math.round(skew);
      checks.push({
        name: 'clock',
        status: Math.abs(ms) > SKEW_WARN_MS ? 'warn' : 'ok',
        detail: `server clock is ${ms} ms ${ms >= 0 ? 'ahead of' : 'behind'} this machine (expiry uses the app's clock; skew only moves server-side reclaim)`,
      });
    }
  } catch (error) {
    checks.push({ name: 'clock', status: 'warn', detail: message(error) });
  }
  return checks;
}

/** `stowage doctor <url>`. */
export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check configuration, connectivity, schema version and clock skew',
  args: ['url'],
  help: `Checks that the URL and options make sense, that the backend answers (and how fast),
its schema version where the adapter reports one, background sweeper errors, and for
PostgreSQL and Redis the skew between the server's clock and this machine's. Exit code 1 when
a check fails; warnings keep exit code 0.`,
  options: { ...STORAGE_OPTIONS, ...JSON_OPTION },
  async run({ args, options, out, secrets }) {
    const [url] = args as [string];
    const checks = await diagnose(url, options);
    if (options.json) {
      await out(JSON.stringify({ url: secrets.show(url), checks }));
    } else {
      await out(`doctor ${secrets.show(url)}`);
      for (const c of checks)
        await out(`  ${c.status.toUpperCase().padEnd(5)} ${c.name.padEnd(13)} ${c.detail}`);
    }
    return checks.some((c) => c.status === 'fail') ? 1 : 0;
  },
};
