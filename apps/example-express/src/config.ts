import { randomBytes } from 'node:crypto';
import { ConfigError } from '@stowage/core';

/** Where the app keeps its data when STOWAGE_URL is not set: one SQLite file under the cwd. */
export const DEFAULT_STOWAGE_URL = 'sqlite:./.stowage/example.db';

/** The settings `main.ts` reads from the environment. */
export interface ExampleConfig {
  /** STOWAGE_URL, default `sqlite:./.stowage/example.db`. */
  url: string;
  /** PORT, default 3000; 0 picks a free port. */
  port: number;
  /** STOWAGE_SECRET, or a random one generated for this run. */
  secret: string;
  /** Whether the secret was generated, in which case sign-ins do not survive a restart. */
  generatedSecret: boolean;
}

/**
 * Reads the configuration from environment variables. A missing STOWAGE_SECRET is replaced
 * by a random one (fine for trying the app; `main.ts` warns), a malformed PORT is a
 * `ConfigError`.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const rawPort = env.PORT ?? '3000';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    throw new ConfigError(`PORT must be a number from 0 to 65535, got ${JSON.stringify(rawPort)}`);
  }
  const secret = env.STOWAGE_SECRET;
  return {
    url: env.STOWAGE_URL || DEFAULT_STOWAGE_URL,
    port,
    secret: secret || randomBytes(32).toString('base64url'),
    generatedSecret: !secret,
  };
}
