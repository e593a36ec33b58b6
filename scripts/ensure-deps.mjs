// Installs node_modules with `npm ci` when they are missing or older than package-lock.json, so that
// `npm start`, `npm test` and `npm run bench` work on a fresh clone with no other step.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const installed = join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs;
if (stale) {
  console.error('ipledger: installing dependencies (npm ci)...');
  try {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  } catch {
    // See .ci/run: a lock that lost other platforms' optional entries is refused by `npm ci`.
    console.error('ipledger: npm ci refused package-lock.json; falling back to npm install');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  }
}
