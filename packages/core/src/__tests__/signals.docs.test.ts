import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { build } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** The TypeScript block after `<!-- example: NAME -->` in a docs page. */
function example(page: string, name: string): string {
  const text = readFileSync(join(root, page), 'utf8');
  const at = text.indexOf(`<!-- example: ${name} -->`);
  expect(at, `${page} has the example "${name}"`).toBeGreaterThanOrEqual(0);
  const block = /```ts\n([\s\S]*?)\n```/.exec(text.slice(at));
  return block![1]!;
}

/** Bundles `code` against the workspace's sources (as an app's bundler would), runs it, and returns what it logged. */
async function run(code: string): Promise<string[]> {
  const { outputFiles } = await build({
    stdin: { contents: code, loader: 'ts', resolveDir: root, sourcefile: 'example.ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['@crm/source'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  const dir = mkdtempSync(join(tmpdir(), 'crm-signals-docs-'));
  const file = join(dir, 'example.mjs');
  writeFileSync(file, outputFiles[0]!.text);
  const logged: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(format(...args)));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return logged;
}

/** What the example says it prints: each `// → …` comment, in order. */
const arrows = (code: string) => [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]!.trim());

afterEach(() => vi.restoreAllMocks());

describe('docs/signals.md', () => {
  it('bring your own model: the example runs offline against its fake model and prints what it says', async () => {
    const code = example('docs/signals.md', 'bring your own model');
    const logged = await run(code);
    expect(logged).toEqual(arrows(code));
    expect(logged).toHaveLength(4);
  });
});
