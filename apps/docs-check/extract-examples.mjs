// Copies every ```ts block of the repository's READMEs into examples/, one module per block, so
// `tsc` checks them against the packages' real types. A block that should not compile on its
// own (a fragment) is marked ```ts fragment and left out.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, 'examples');

const readmes = [join(root, 'README.md')];
for (const folder of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, folder))) {
    const file = join(root, folder, name, 'README.md');
    if (existsSync(file)) readmes.push(file);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let count = 0;
for (const file of readmes) {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)];
  const label = relative(root, dirname(file)).replace(/[\\/]/g, '-') || 'root';
  blocks.forEach((block, index) => {
    const source = `// From ${relative(root, file)}, example ${index + 1}\n${block[1]}\nexport {};\n`;
    writeFileSync(join(out, `${label}-${index + 1}.ts`), source);
    count++;
  });
}
console.log(`docs-check: extracted ${count} TypeScript examples from ${readmes.length} READMEs`);
