/**
 * The TypeScript blocks of the README and of the guides in docs/ must work exactly as written: each is type-checked against the
 * packages' sources, and each (except blocks marked `ts no-run`) is run, with every `// → text`
 * comment checked against what the block printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** The TypeScript blocks of a Markdown file, in order. */
function blocksOf(file: string) {
  const text = readFileSync(join(root, file), 'utf8');
  return {
    text,
    blocks: [...text.matchAll(/```ts([^\n]*)\n([\s\S]*?)```/g)].map((m, i) => ({
      name: `block-${i + 1}`,
      run: !m[1]!.includes('no-run'),
      code: m[2]!,
      line: text.slice(0, m.index).split('\n').length,
    })),
  };
}

/** The Markdown files whose blocks are checked: the README, every guide in docs/ and the README of each package (its npm page). */
const FILES = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...['core', 'react', 'adapters'].map((p) => `packages/${p}/README.md`),
];

for (const file of FILES) {
  const { text, blocks } = blocksOf(file);
  const dir = join(root, 'tests', '.readme', file.replace(/[/.]/g, '_'));

  describe(`${file} TypeScript blocks`, () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const block of blocks) writeFileSync(join(dir, `${block.name}.mts`), block.code);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../../tsconfig.base.json',
        compilerOptions: { noEmit: true, types: ['node'], lib: ['ES2024', 'DOM'], noUnusedLocals: false, jsx: 'react-jsx' },
        include: ['*.mts'],
      }),
    );

    if (file === 'README.md') {
      it('has a quickstart under 25 lines', () => {
        const quickstart = /## Quickstart\s+```ts\n([\s\S]*?)```/.exec(text)?.[1];
        expect(quickstart, 'README.md needs a "## Quickstart" section with a ts block').toBeDefined();
        expect(quickstart!.trimEnd().split('\n').length).toBeLessThan(25);
        expect(blocks.length).toBeGreaterThanOrEqual(3);
      });
    } else {
      it('has examples', () => expect(blocks.length).toBeGreaterThan(0));
    }

    it('type-checks every block', () => {
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
      expect(result.stdout + result.stderr, `type errors in ${file} blocks (files in ${dir})`).toBe('');
      expect(result.status).toBe(0);
      // A whole tsc run per file: 10–20 s on 2 shared cores, more while the machine is busy.
    }, 120_000);

    for (const block of blocks.filter((b) => b.run)) {
      it(`runs the block at ${file} line ${block.line}`, () => {
        const output = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@crm/source', join(dir, `${block.name}.mts`)], {
          cwd: root,
          encoding: 'utf8',
          timeout: 60_000,
        });
        // Every line printed is shown, in order, by a `// → line` comment: an example whose output
        // changed (or says more than its comments) fails here rather than misleading a reader.
        const printed = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
        const expected = [...block.code.matchAll(/\/\/ → (.+)$/gm)].map(([, line]) => line!.trim());
        expect(printed, `what the block at ${file} line ${block.line} printed`).toEqual(expected);
      });
    }
  });
}
