/**
 * The shape of the sources (STYLE.md, "a core of nouns"): no import cycle anywhere in
 * `packages/*\/src`, the floors of `@crm/core` in order, and a core that imports nothing from
 * React, the DOM or Node. Read from the sources, so it needs no build (the built core is
 * checked by `tests/core-runtime-neutral.test.ts`).
 *
 * Type-only imports count: `import type`, `export type … from` and `import('…').T` are edges
 * of the graph like any other import.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCycles, importCycles, loopThrough, readImportGraph, specifiersOf } from './importGraph.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const graph = readImportGraph(root);
const core = (path: string) => `packages/core/src/${path}`;

describe('the import graph reader', () => {
  it('reads every kind of import, type-only ones included', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, d } from './c.js';",
      "import './side-effect.js';",
      "export * from './e.js';",
      "export type { F } from './f.js';",
      "export { g } from './g.js';",
      "type H = import('./h.js').H;",
      "const i = await import('./i.js');",
      '/** `import x from "./not-code.js"` in a comment is not an import. */',
      "const s = \"import j from './not-code-either.js'\";",
    ].join('\n');
    expect(specifiersOf('x.ts', text)).toEqual([
      './a.js',
      './b.js',
      './c.js',
      './side-effect.js',
      './e.js',
      './f.js',
      './g.js',
      './h.js',
      './i.js',
    ]);
  });

  it('finds cycles, the files that import themselves, and a loop through each', () => {
    const edges = new Map<string, Set<string>>([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set()],
      ['e', new Set(['e'])],
      ['f', new Set(['d'])],
    ]);
    expect(importCycles(edges)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(loopThrough(['a', 'b', 'c'], edges)).toEqual(['a', 'b', 'c', 'a']);
    expect(describeCycles(edges)[0]).toMatchInlineSnapshot(`
      "import cycle of 3 files:
        a
        b
        c
        for example: a → b → c → a"
    `);
  });

  it('sees the whole workspace, and every relative import lands on a file', () => {
    expect(graph.edges.size).toBeGreaterThan(100);
    expect(graph.edges.get(core('crm.ts'))).toContain(core('services/complaints.ts'));
    // Workspace packages resolve to their sources: the adapters stand on the core.
    expect([...graph.edges.keys()].some((file) => file.startsWith('packages/adapters/src/'))).toBe(true);
    expect(
      [...graph.edges].some(([file, to]) => file.startsWith('packages/adapters/') && [...to].some((t) => t.startsWith('packages/core/src/'))),
    ).toBe(true);
    expect(graph.unresolved).toEqual([]);
  });
});

describe('the sources', () => {
  it('have no import cycle anywhere in packages/*/src (type-only imports count)', () => {
    expect(describeCycles(graph.edges)).toEqual([]);
  });

  /**
   * The floors of `@crm/core`, lowest first: a file imports only from its own floor or below.
   * A place is a folder, or a file named with its folder (which then takes it out of the
   * folder's floor). The event payloads are shapes of records, on the schemas' floor (an SLA
   * policy's `onBreach.call` takes one). `complaints/` builds the activity log, `sla/` and
   * `policy/` are pure rules over records; the services that read the store, the SLA scheduler
   * among them, stand above them all.
   */
  const FLOORS: readonly (readonly string[])[] = [
    ['errors', 'clock', 'ids'],
    ['schemas', 'events/events.ts'],
    ['calendar'],
    ['store', 'signals', 'events', 'complaints', 'fields'],
    ['sla', 'policy', 'analytics'],
    ['services'],
    ['crm.ts'],
    ['observe', 'testing', 'index.ts'],
  ];
  const floorOf = (file: string): number => {
    const path = file.slice(core('').length);
    const exact = FLOORS.findIndex((floor) => floor.includes(path));
    return exact >= 0 ? exact : FLOORS.findIndex((floor) => floor.includes(path.split('/')[0]!));
  };

  it('keep the floors of the core: nothing imports from a floor above its own', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph.edges) {
      if (!file.startsWith(core(''))) continue;
      for (const target of targets) {
        if (!target.startsWith(core(''))) continue;
        if (floorOf(target) > floorOf(file)) upward.push(`${file} imports ${target}`);
      }
    }
    // Every file of the core is on a floor (a new folder gets a place in FLOORS).
    expect([...graph.edges.keys()].filter((file) => file.startsWith(core('')) && floorOf(file) < 0)).toEqual([]);
    expect(upward).toEqual([]);
  });

  it('`calendar/` reads no schema of a record or a policy (only its own spec and the primitives), `sla/`, `policy/` no service', () => {
    const offending = [...graph.edges].flatMap(([file, targets]) =>
      [...targets]
        .filter(
          (target) =>
            (file.startsWith(core('calendar/')) && target.startsWith(core('schemas/')) && !/\/(primitives|parse|calendar)\.ts$/.test(target)) ||
            ((file.startsWith(core('sla/')) || file.startsWith(core('policy/'))) && target.startsWith(core('services/'))),
        )
        .map((target) => `${file} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });

  /**
   * Only zod and eventemitter3 (and vitest, the optional peer of `@crm/core/testing`). The DOM
   * is kept out by the core's tsconfig, whose `lib` has no `DOM`: a `window` does not compile.
   */
  it('of @crm/core import nothing from React, the DOM or Node: only zod and eventemitter3', () => {
    const allowed = (file: string, specifier: string) =>
      /^(?:zod|zod\/mini|eventemitter3)$/.test(specifier) || (file.startsWith(core('testing/')) && specifier === 'vitest');
    const imports = [...graph.external]
      .filter(([file]) => file.startsWith(core('')))
      .flatMap(([file, specifiers]) => [...specifiers].filter((s) => !allowed(file, s)).map((s) => `${file} imports ${s}`));
    expect(imports).toEqual([]);
  });
});
