import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const script = resolve(dirname(fileURLToPath(import.meta.url)), '../../scripts/cluster.sh');

/** A cluster of its own for tests that change the topology, on ports `first`..`first+5`. */
export interface FailoverCluster {
  readonly nodes: { host: string; port: number }[];
  /** Port of the primary serving `key`, as node `via` sees it. */
  primaryOf(key: string, via?: number): Promise<number>;
  /** Port of a replica of the primary on `port`. */
  replicaOf(port: number): Promise<number>;
  /** SIGKILLs one node (the process the cluster script started on that port). */
  kill(port: number): void;
  /** Starts a killed node again; it rejoins the cluster from its nodes.conf. */
  restart(port: number): void;
  stop(): void;
}

function command(port: number, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  client.on('error', () => {
    // One-shot admin connection; its command reports the failure.
  });
  return client.call(String(args[0]), ...args.slice(1)).finally(() => client.disconnect());
}

/** Starts the cluster with scripts/cluster.sh (STOWAGE_CLUSTER_PORT=`first`). */
export function failoverCluster(first: number): FailoverCluster {
  const env = { ...process.env, STOWAGE_CLUSTER_PORT: String(first) };
  const run = (...args: string[]) => execFileSync(script, args, { env, encoding: 'utf8' });
  run('start');
  const dir = readFileSync(join(tmpdir(), `stowage-redis-cluster-${first}.dir`), 'utf8').trim();
  return {
    nodes: [0, 1, 2].map((i) => ({ host: '127.0.0.1', port: first + i })),
    async primaryOf(key, via = first) {
      const slot = Number(await command(via, 'CLUSTER', 'KEYSLOT', key));
      const ranges = (await command(via, 'CLUSTER', 'SLOTS')) as [
        number,
        number,
        [string, number],
      ][];
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!owner) throw new Error(`no node serves slot ${slot}`);
      return Number(owner[2][1]);
    },
    async replicaOf(port) {
      // After a failover the demoted node re-attaches as a replica a moment later: poll for it.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const text = String(await command(port, 'CLUSTER', 'NODES'));
        const lines = text.trim().split('\n');
        const me = lines.find((l) => l.includes('myself'))?.split(' ')[0];
        const replica = lines.find((l) => l.split(' ')[3] === me && !l.includes('fail'));
        if (replica) return Number((replica.split(' ')[1] as string).split(':')[1]?.split('@')[0]);
        if (Date.now() > deadline) throw new Error(`no replica of ${port}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    kill(port) {
      const pid = Number(readFileSync(join(dir, String(port), 'redis.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
    },
    restart(port) {
      run('start-node', String(port));
    },
    stop() {
      run('stop');
    },
  };
}

export { command as clusterCommand };
