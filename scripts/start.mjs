// `npm start`: build the packages (quietly, unless the build fails), then run the demo.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build', '--silent'], { encoding: 'utf8' });
if (build.status !== 0) {
  process.stdout.write(build.stdout ?? '');
  process.stderr.write(build.stderr ?? '');
  console.error('\nThe build failed (output above); the demo needs the built packages.');
  process.exit(build.status ?? 1);
}
const demo = spawnSync(npm, ['run', 'start', '--workspace=examples', '--silent'], { stdio: 'inherit' });
process.exit(demo.status ?? 1);
