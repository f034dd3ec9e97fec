import { execFile } from 'node:child_process';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { waitUntil } from './wait.js';

const run = promisify(execFile);
const BIN = process.env.STOWAGE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A private PostgreSQL server in a temp folder, for tests that kill or block it. */
export interface ThrowawayServer {
  /** Loopback port it listens on. */
  port: number;
  /** Connection string (trust auth, user postgres, database postgres). */
  url: string;
  /** Kills the postmaster and its backends with SIGKILL: a crash, not a shutdown. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data folder (crash recovery runs). */
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** A free loopback port, found by binding port 0 and releasing it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

async function asPostgres(command: string, args: string[]): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]);
}

async function connects(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  // connect() rejects with the failure; the listener only keeps a late socket error from
  // becoming an unhandled 'error' event while the server is still starting.
  client.on('error', () => undefined);
  await client.connect();
  await client.end();
}

/**
 * initdb's a new cluster in a temp folder (as the `postgres` OS user, since the server refuses
 * to run as root) and starts it on a free loopback port with its socket in the same folder.
 * It never touches the shared server.
 */
export async function startThrowawayServer(): Promise<ThrowawayServer> {
  const dir = await mkdtemp(join(tmpdir(), 'stowage-pg-'));
  const { uid, gid } = await postgresIds();
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=40`;
  const start = async (): Promise<void> => {
    await asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, 'start']);
    await waitUntil(() => connects(url));
  };
  await start();
  return {
    port,
    url,
    start,
    async kill() {
      const pid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(pid)]);
      const children = stdout
        .split('\n')
        .map((s) => Number(s.trim()))
        .filter((n) => n > 0);
      for (const p of [pid, ...children]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
        }
      }
      await waitUntil(async () => {
        for (const p of [pid, ...children]) {
          try {
            process.kill(p, 0);
          } catch (error) {
            // ESRCH: the process is gone, which is what we wait for.
            if ((error as NodeJS.ErrnoException).code === 'ESRCH') continue;
            throw error;
          }
          throw new Error(`process ${p} still running`);
        }
      });
    },
    async destroy() {
      const running = await readFile(join(data, 'postmaster.pid')).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
      if (running) await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
