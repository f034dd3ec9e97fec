import { existsSync } from 'node:fs';
import { createStorage, isStowageError } from '@stowage/core';
import { type Command, JSON_OPTION, STORAGE_OPTIONS } from '../command.js';
import { localPath } from '../local-path.js';
import { adapterFor, targetOptions } from '../open-adapter.js';
import { serverClockSkew } from '../server-clock.js';

/** One finding of `doctor`. */
export interface DoctorCheck {
  name: string;
  /** `skip`: the check does not apply to this backend (the detail says why). */
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}

/** Clock skew above this is worth a warning (ms). */
const SKEW_WARN_MS = 2000;
const PROBE_TIMEOUT_MS = 5000;

function message(error: unknown): string {
  if (isStowageError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
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
    checks.push(
      details.schemaVersion === undefined
        ? {
            name: 'schema',
            status: 'skip',
            detail: `the ${adapter.name} adapter keeps no schema version`,
          }
        : {
            name: 'schema',
            status: 'ok',
            detail: `schema version ${String(details.schemaVersion)} (${adapter.name})`,
          },
    );
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
    if (skew === undefined) {
      checks.push({
        name: 'clock',
        status: 'skip',
        detail: `does not apply: ${adapter.name} has no server clock; expiry and sweeping use this machine's`,
      });
    } else {
      const ms = Math.round(skew);
      checks.push({
        name: 'clock',
        status: Math.abs(ms) > SKEW_WARN_MS ? 'warn' : 'ok',
        detail: `server clock is ${Math.abs(ms)} ms ${ms >= 0 ? 'ahead of' : 'behind'} this machine (expiry uses the app's clock; skew only moves server-side reclaim)`,
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
  help: `Checks, in order: that the URL and options make sense (and that a sqlite: or file: path
exists), that the backend answers and how fast, its schema version (SQLite and PostgreSQL;
other adapters keep none), background sweeper errors, durability, and for PostgreSQL and Redis
the skew between the server's clock and this machine's (embedded backends have no server
clock: SKIP). Stops after a failed config or connectivity check. Each line reads
STATUS NAME DETAIL with STATUS one of OK, WARN, FAIL, SKIP (does not apply).
Exit codes: 0 when nothing failed (warnings included), 1 when a check failed, 2 usage error.`,
  examples: [
    'stowage doctor postgres://app:secret@db.internal/app',
    'stowage doctor sqlite:./app.db --json',
  ],
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
