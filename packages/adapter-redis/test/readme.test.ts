import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('README', () => {
  it('shows the quick start that tsc type-checks in test/fixtures/readme-example.ts', () => {
    const readme = readFileSync(resolve(here, '../README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const example = readFileSync(resolve(here, 'fixtures/readme-example.ts'), 'utf8').replace(
      "'../../src/index.js'",
      "'@stowage/adapter-redis'",
    );
    expect(block).toBe(example);
    expect(block?.split('\n').filter(Boolean).length).toBeLessThanOrEqual(10);
  });
});
