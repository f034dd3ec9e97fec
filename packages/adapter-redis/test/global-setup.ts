import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = resolve(dirname(fileURLToPath(import.meta.url)), '../scripts/cluster.sh');

/**
 * Starts the local Redis Cluster unless one already answers on port 7000, and stops it after
 * the run only if this run started it.
 */
export default function setup(): () => void {
  const output = execFileSync(script, ['start'], { encoding: 'utf8' });
  const startedHere = !output.includes('already running');
  return () => {
    if (startedHere) execFileSync(script, ['stop'], { stdio: 'inherit' });
  };
}
