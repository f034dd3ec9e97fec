import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** A fixture as the README shows it: importing the published package name. */
function fixture(name: string): string {
  return readFileSync(resolve(here, 'fixtures', name), 'utf8').replace(
    "'../../src/index.js'",
    "'@stowage/adapter-redis'",
  );
}

describe('README', () => {
  const readme = readFileSync(resolve(here, '../README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

  it('shows the quick start that tsc type-checks in test/fixtures/readme-example.ts', () => {
    expect(blocks[0]).toBe(fixture('readme-example.ts'));
    expect(blocks[0]?.split('\n').filter(Boolean).length).toBeLessThanOrEqual(10);
  });

  it('shows the queue and pub/sub example that tsc type-checks in test/fixtures/readme-queues.ts', () => {
    expect(blocks[1]).toBe(fixture('readme-queues.ts'));
    expect(blocks).toHaveLength(2);
  });
});
