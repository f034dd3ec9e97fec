import { join } from 'node:path';
import { promisify } from 'node:util';
import KeyvPostgres from '@keyv/postgres';
import KeyvRedis from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import connectPgSimple from 'connect-pg-simple';
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import Keyv from 'keyv';
import pg from 'pg';
import { createClient } from 'redis';
import sessionFileStore from 'session-file-store';
import { createStorage as createUnstorage, type Driver } from 'unstorage';
import fsDriver from 'unstorage/drivers/fs';
import redisDriver from 'unstorage/drivers/redis';
import type { BenchEnv } from '../env.js';
import type { Backend, TargetSpec } from '../types.js';
import { type BlobStore, blobTarget, type StoredBlob } from './peer-blob.js';

const DAY_MS = 86_400_000;

function keyvStore(keyv: Keyv<StoredBlob>): BlobStore {
  return {
    async set(key, value) {
      await keyv.set(key, value);
    },
    get: async (key) => (await keyv.get(key)) ?? null,
    async setMany(entries) {
      await keyv.setMany(entries.map(({ key, value }) => ({ key, value })));
    },
    getMany: async (keys) => (await keyv.getMany([...keys])).map((v) => v ?? null),
    close: () => keyv.disconnect(),
  };
}

/** express-session stores take callbacks; this gives them promises and a cookie per session. */
function sessionStore(store: session.Store, close: () => Promise<void>): BlobStore {
  const set = promisify(store.set.bind(store)) as (sid: string, data: unknown) => Promise<void>;
  const get = promisify(store.get.bind(store)) as (sid: string) => Promise<unknown>;
  return {
    set: (key, value) => set(key, value),
    get: async (key) => ((await get(key)) as StoredBlob | null | undefined) ?? null,
    close,
  };
}

/** Adds the cookie every express-session record carries; stores derive their TTL from it. */
function withCookie(blob: StoredBlob): StoredBlob {
  return {
    ...blob,
    cookie: {
      originalMaxAge: DAY_MS,
      expires: new Date(Date.now() + DAY_MS).toISOString(),
      httpOnly: true,
      path: '/',
    },
  };
}

function unstorageStore(driver: Driver): BlobStore {
  const storage = createUnstorage<StoredBlob>({ driver });
  return {
    set: (key, value) => storage.setItem(key, value),
    get: async (key) => (await storage.getItem(key)) as StoredBlob | null,
    setMany: (entries) => storage.setItems(entries.map(({ key, value }) => ({ key, value }))),
    getMany: async (keys) =>
      (await storage.getItems([...keys])).map(({ value }) => (value as StoredBlob | null) ?? null),
    close: () => storage.dispose(),
  };
}

interface PeerDef {
  name: string;
  backend: Backend;
  open: (slot: string) => Promise<{ store: BlobStore; wrap?: (blob: StoredBlob) => StoredBlob }>;
}

/**
 * The peer libraries people pick today for each backend, with errors made to throw (keyv's
 * `throwOnErrors`, an error listener on the node-redis client that fails loudly).
 */
export function peerSpecs(env: BenchEnv): TargetSpec[] {
  const prefix = (slot: string) => `${env.redisPrefix}${slot}`;
  const peers: PeerDef[] = [
    {
      name: 'keyv-sqlite',
      backend: 'sqlite',
      open: async (slot) => ({
        store: keyvStore(
          new Keyv<StoredBlob>({
            store: new KeyvSqlite({ uri: `sqlite://${join(env.dir, `keyv-${slot}.db`)}` }),
            throwOnErrors: true,
          }),
        ),
      }),
    },
    {
      name: 'keyv-postgres',
      backend: 'postgres',
      open: async (slot) => ({
        store: keyvStore(
          new Keyv<StoredBlob>({
            store: new KeyvPostgres({
              uri: env.postgresUrl,
              schema: env.schema,
              table: `keyv_${slot}`,
            }),
            throwOnErrors: true,
          }),
        ),
      }),
    },
    {
      name: 'keyv-redis',
      backend: 'redis',
      open: async (slot) => ({
        store: keyvStore(
          new Keyv<StoredBlob>({
            store: new KeyvRedis(env.redisUrl, { throwOnErrors: true }),
            namespace: prefix(`keyv_${slot}`),
            throwOnErrors: true,
          }),
        ),
      }),
    },
    {
      name: 'connect-redis',
      backend: 'redis',
      open: async (slot) => {
        const client = createClient({ url: env.redisUrl });
        client.on('error', (error: Error) => {
          process.emitWarning(`connect-redis client: ${error.message}`);
        });
        await client.connect();
        const store = new RedisStore({ client, prefix: prefix(`sess_${slot}:`) });
        return {
          store: sessionStore(store, async () => {
            await client.quit();
          }),
          wrap: withCookie,
        };
      },
    },
    {
      name: 'connect-pg-simple',
      backend: 'postgres',
      open: async (slot) => {
        const pool = new pg.Pool({ connectionString: env.postgresUrl, max: 10 });
        const PgStore = connectPgSimple(session);
        const store = new PgStore({
          pool,
          schemaName: env.schema,
          tableName: `pgsimple_${slot}`,
          createTableIfMissing: true,
          pruneSessionInterval: false,
        });
        return { store: sessionStore(store, () => pool.end()), wrap: withCookie };
      },
    },
    {
      name: 'session-file-store',
      backend: 'file',
      open: async (slot) => {
        const FileStore = sessionFileStore(session);
        const store = new FileStore({
          path: join(env.dir, `session-file-store-${slot}`),
          retries: 0,
          reapInterval: -1,
          logFn: () => {},
        });
        return { store: sessionStore(store, async () => {}), wrap: withCookie };
      },
    },
    {
      name: 'unstorage-fs',
      backend: 'file',
      open: async (slot) => ({
        store: unstorageStore(fsDriver({ base: join(env.dir, `unstorage-${slot}`) })),
      }),
    },
    {
      name: 'unstorage-redis',
      backend: 'redis',
      open: async (slot) => ({
        store: unstorageStore(
          redisDriver({ url: env.redisUrl, base: prefix(`unstorage_${slot}`) }),
        ),
      }),
    },
  ];
  return peers.map((peer) => ({
    name: peer.name,
    backend: peer.backend,
    kind: 'peer' as const,
    create: async (slot: string) => {
      const { store, wrap } = await peer.open(slot);
      return blobTarget(peer.name, peer.backend, store, wrap);
    },
  }));
}
