// Minimal types for two peer libraries that ship none; only what the benchmark calls.
declare module 'connect-pg-simple' {
  import type session from 'express-session';
  import type { Pool } from 'pg';

  interface PgStoreOptions {
    pool: Pool;
    schemaName?: string;
    tableName?: string;
    createTableIfMissing?: boolean;
    pruneSessionInterval?: number | false;
  }
  function connectPgSimple(
    sessionModule: typeof session,
  ): new (
    options: PgStoreOptions,
  ) => session.Store & { close(): void };
  export = connectPgSimple;
}

declare module 'session-file-store' {
  import type session from 'express-session';

  interface FileStoreOptions {
    path: string;
    ttl?: number;
    retries?: number;
    reapInterval?: number;
    logFn?: (...args: unknown[]) => void;
  }
  function sessionFileStore(
    sessionModule: typeof session,
  ): new (
    options: FileStoreOptions,
  ) => session.Store;
  export = sessionFileStore;
}
