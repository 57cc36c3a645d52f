// Run after each package's build (`tsup && node ../../scripts/map-sources.mjs`): rewrites the
// source maps in dist/ so they point at the sources the package ships (`src/`, there for the
// `@crm/source` condition and for debuggers) instead of embedding a second copy of them.
// `sourcesContent` was more than half of each tarball (issue 12, item 10). A map whose sources
// are not all shipped keeps its contents, so a debugger always finds the code.
//
// (esbuild's `sourcesContent: false` does not survive tsup's tree-shaking pass, hence a step
// after the build.)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

const dir = resolve(process.argv[2] ?? 'dist');
const pkg = dirname(dir);
/** Whether `path` is a file inside the package (so it ships, unless `files` leaves it out). */
const shipped = (path) => path.startsWith(pkg + sep) && !path.includes(`${sep}__tests__${sep}`) && existsSync(path);
let rewritten = 0;
let kept = 0;
for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.map')) continue;
  const file = join(entry.parentPath, entry.name);
  const map = JSON.parse(readFileSync(file, 'utf8'));
  if (map.sourcesContent === undefined) continue;
  const root = join(dirname(file), map.sourceRoot ?? '');
  if (!map.sources.every((source) => shipped(resolve(root, source)))) {
    kept++;
    continue;
  }
  delete map.sourcesContent;
  writeFileSync(file, JSON.stringify(map));
  rewritten++;
}
if (kept > 0) console.warn(`map-sources: ${kept} source maps keep their sourcesContent (some of their sources are not in the package)`);
if (process.env.CRM_MAP_SOURCES_VERBOSE) console.log(`map-sources: ${rewritten} source maps point at the shipped sources`);
