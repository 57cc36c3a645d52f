/**
 * The import graph of the workspace packages' sources, for the architecture tests: every
 * `.ts`/`.tsx` file under `packages/<name>/src` except tests, and every import between them.
 *
 * What counts as an import — all of them, type-only ones included, because a cycle of types is
 * still a cycle for a reader (and for `isolatedModules` tooling that keeps `import type` lines):
 * - `import … from`, `import type … from`, `import './side-effect.js'`;
 * - `export … from`, `export type … from`, `export * from`;
 * - `import('./x.js')` calls and `import('./x.js').Type` type queries.
 *
 * Relative specifiers resolve the way TypeScript's `NodeNext` does for our sources: `./x.js` is
 * `./x.ts` or `./x.tsx`, a directory is its `index.ts`. Workspace packages (`@crm/core/store`)
 * resolve through their `exports` map's `@crm/source` condition, so a cycle across packages is
 * seen too. Anything else (zod, react, `node:fs`) is an external import, listed per file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** The workspace root; file names below are relative to it, with `/`. */
  readonly root: string;
  /** Each source file and the source files it imports. */
  readonly edges: ReadonlyMap<string, ReadonlySet<string>>;
  /** Each source file's imports that are not source files of the workspace (`zod/mini`, `node:fs`). */
  readonly external: ReadonlyMap<string, ReadonlySet<string>>;
  /** Relative imports that resolve to no file: a broken import, or a resolver this test lacks. */
  readonly unresolved: readonly string[];
}

const SOURCE = /\.tsx?$/;
const TEST_DIR = '__tests__';

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== TEST_DIR && name !== 'node_modules') walk(path, out);
    } else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier a file names, type-only imports included. */
export function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteral(expr)) found.push(expr.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) found.push(arg.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `./x.js` → `x.ts` | `x.tsx` | `x/index.ts`; null when no file matches. */
function resolveFile(base: string): string | null {
  const stem = base.replace(/\.(?:js|jsx|ts|tsx|mjs)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, join(stem, 'index.ts'), join(stem, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** The workspace packages' subpaths: `@crm/core/store` → its `@crm/source` file. */
function workspaceEntries(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  const packagesDir = join(root, 'packages');
  for (const name of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, name, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; exports?: Record<string, unknown> };
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const sourcePath = typeof target === 'object' && target !== null ? (target as Record<string, unknown>)['@crm/source'] : undefined;
      if (typeof sourcePath !== 'string') continue;
      const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`;
      entries.set(specifier, resolve(packagesDir, name, sourcePath));
    }
  }
  return entries;
}

/** Reads the import graph of `packages/*\/src` under `root`. */
export function readImportGraph(root: string): ImportGraph {
  const rel = (path: string) => relative(root, path).split('\\').join('/');
  const packagesDir = join(root, 'packages');
  const files = readdirSync(packagesDir)
    .map((name) => join(packagesDir, name, 'src'))
    .filter((dir) => existsSync(dir))
    .flatMap((dir) => walk(dir));
  const known = new Set(files.map(rel));
  const workspace = workspaceEntries(root);
  const edges = new Map<string, Set<string>>();
  const external = new Map<string, Set<string>>();
  const unresolved: string[] = [];
  for (const file of files) {
    const from = rel(file);
    const to = new Set<string>();
    const outside = new Set<string>();
    for (const specifier of specifiersOf(file, readFileSync(file, 'utf8'))) {
      let target: string | null = null;
      if (specifier.startsWith('.')) {
        target = resolveFile(resolve(dirname(file), specifier));
        if (target === null) {
          unresolved.push(`${from} imports ${specifier}`);
          continue;
        }
      } else if (workspace.has(specifier)) target = workspace.get(specifier)!;
      if (target !== null && known.has(rel(target))) to.add(rel(target));
      else outside.add(specifier);
    }
    edges.set(from, to);
    external.set(from, outside);
  }
  return { root, edges, external, unresolved };
}

/** Strongly connected components of more than one file, and files that import themselves (Tarjan). */
export function importCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  // Iterative, so a long chain of imports cannot overflow the call stack.
  for (const start of [...edges.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; next: string[] }[] = [];
    const enter = (node: string) => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: [...(edges.get(node) ?? [])].sort() });
    };
    enter(start);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const child = frame.next.shift();
      if (child !== undefined) {
        if (!index.has(child)) enter(child);
        else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || edges.get(frame.node)?.has(frame.node)) components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
}

/** One loop through a cycle's files, for the failure message: `a → b → c → a`. */
export function loopThrough(component: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const members = new Set(component);
  const start = component[0]!;
  // Breadth-first from `start` inside the component, back to `start`: the shortest loop through it.
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

/** The cycles, said for a person: one paragraph per cycle, with its files and a loop through them. */
export function describeCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  return importCycles(edges).map((component) => {
    const loop = loopThrough(component, edges).join(' → ');
    return `import cycle of ${component.length} file${component.length === 1 ? '' : 's'}:\n  ${component.join('\n  ')}\n  for example: ${loop}`;
  });
}
