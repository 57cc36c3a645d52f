/**
 * What each package's tarball holds (issue 12, items 9 and 10): a README (its npm page) and the
 * MIT LICENSE its package.json names, and source maps that point at the shipped `src/` instead
 * of embedding every source a second time. `npm run check:packages` checks the sizes against
 * their budgets; this reads `npm pack --dry-run` and the build: run `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe.each(['core', 'react', 'adapters'])('the @crm/%s tarball', (name) => {
  const dir = join(root, 'packages', name);
  const packed = () => {
    const [pack] = JSON.parse(
      execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, npm_config_loglevel: 'error' },
      }),
    ) as [{ files: { path: string }[] }];
    return pack.files.map((f) => f.path);
  };

  it('has a README.md and the MIT LICENSE', () => {
    const files = packed();
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toBe(readFileSync(join(dir, 'LICENSE'), 'utf8'));
  });

  it('ships each source once: maps point at src/ (which ships) and embed nothing; no tests', () => {
    const files = packed();
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const parsed = JSON.parse(readFileSync(join(dir, map), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(parsed.sourcesContent, map).toBeUndefined();
      for (const source of parsed.sources) expect(files, `${map} → ${source}`).toContain(join(map, '..', source));
    }
    expect(files.filter((f) => f.includes('__tests__'))).toEqual([]);
  });
});
