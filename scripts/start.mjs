// `npm start`: build the packages (quietly, unless the build fails), then run the demo.
import { spawnSync } from 'node:child_process';
import { buildQuietly } from './build-quiet.mjs';

buildQuietly();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const demo = spawnSync(npm, ['run', 'start', '--workspace=examples', '--silent'], { stdio: 'inherit' });
process.exit(demo.status ?? 1);
