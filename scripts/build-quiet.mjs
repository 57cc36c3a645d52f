// Builds the packages quietly: their output is shown only if the build fails. Used before the
// demo (`npm start`) and the tests (`npm test`), which exercise the built packages too.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `npm run build`; on failure prints its output and exits with its status. */
export function buildQuietly() {
  const build = spawnSync(npm, ['run', 'build', '--silent'], { encoding: 'utf8' });
  if (build.status !== 0) {
    process.stdout.write(build.stdout ?? '');
    process.stderr.write(build.stderr ?? '');
    console.error('\nThe build failed (output above).');
    process.exit(build.status ?? 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) buildQuietly();
