import { randomBytes } from 'node:crypto';
import type { Storage } from '@stowage/core';

/** How the Nest chat is configured: where data lives and how cookies are signed. */
export interface ChatConfig {
  /** A storage URL for `StowageModule` to open (and close on shutdown). */
  url?: string;
  /** Or a storage the caller owns (tests); takes precedence over `url`. */
  storage?: Storage;
  /** Namespace inside the backend, for `url`; default the adapter's own. */
  namespace?: string;
  /** Adapter options for `url` (for example `{ schema }` on PostgreSQL). */
  adapterOptions?: Record<string, unknown>;
  /** Cookie-signing secret, at least 32 characters. */
  secret: string;
}

/** Injection token of the `ChatConfig`. */
export const CHAT_CONFIG = Symbol('ChatConfig');

/** The storage of the chat when STOWAGE_URL is not set: one SQLite file under the cwd. */
export const DEFAULT_STOWAGE_URL = 'sqlite:./.stowage/example.db';

/**
 * Reads STOWAGE_URL (default `sqlite:./.stowage/example.db`) and STOWAGE_SECRET (default a
 * random secret for this run; `generatedSecret` says so, and `main.ts` warns).
 */
export function readChatConfig(env: NodeJS.ProcessEnv = process.env): {
  config: ChatConfig;
  generatedSecret: boolean;
} {
  const secret = env.STOWAGE_SECRET;
  return {
    config: {
      url: env.STOWAGE_URL || DEFAULT_STOWAGE_URL,
      secret: secret || randomBytes(32).toString('base64url'),
    },
    generatedSecret: !secret,
  };
}
