import type { BenchEnv } from './env.js';
import { peerSpecs } from './targets/peers.js';
import { rawFileSpec } from './targets/raw-file.js';
import { rawMemorySpec } from './targets/raw-memory.js';
import { rawPostgresSpec } from './targets/raw-postgres.js';
import { rawRedisSpec } from './targets/raw-redis.js';
import { rawSqliteSpec } from './targets/raw-sqlite.js';
import { stowageSpecs } from './targets/stowage.js';
import type { Backend, TargetKind, TargetSpec } from './types.js';

const BACKEND_ORDER: readonly Backend[] = ['memory', 'sqlite', 'file', 'postgres', 'redis'];
const KIND_ORDER: readonly TargetKind[] = ['raw', 'stowage', 'peer'];

/** Every target of a run, grouped by backend: the raw floor, then Stowage, then the peers. */
export function allSpecs(env: BenchEnv): TargetSpec[] {
  const specs = [
    rawMemorySpec,
    rawSqliteSpec(env),
    rawFileSpec(env),
    rawPostgresSpec(env),
    rawRedisSpec(env),
    ...stowageSpecs(env),
    ...peerSpecs(env),
  ];
  const rank = (s: TargetSpec) =>
    BACKEND_ORDER.indexOf(s.backend) * KIND_ORDER.length + KIND_ORDER.indexOf(s.kind);
  // Array sort is stable, so peers of one backend keep their listed order.
  return specs.sort((a, b) => rank(a) - rank(b));
}
