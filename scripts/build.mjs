// Compiles apps/, libs/, migrations/ and bench/ to dist/ with SWC (keeps decorator metadata for Nest DI and
// rewrites the @ipledger/* path aliases from tsconfig.json), copies .proto files, then runs each app's own
// extra build step (apps/<app>/build.mjs) if it has one, e.g. the bundled CNI executable.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const swcrc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
    baseUrl: root,
    paths: tsconfig.compilerOptions.paths,
  },
  module: { type: 'es6', resolveFully: true },
  sourceMaps: true,
};
const swcrcPath = join(dist, '.swcrc');
writeFileSync(swcrcPath, JSON.stringify(swcrc));

const sources = ['apps', 'libs', 'migrations', 'bench'].filter((d) => existsSync(join(root, d)));
execFileSync(
  join(root, 'node_modules/.bin/swc'),
  [
    ...sources,
    '-d',
    dist,
    '--config-file',
    swcrcPath,
    '--ignore',
    '**/*.spec.ts,**/*.int-spec.ts,**/*.e2e-spec.ts',
    '--quiet',
  ],
  { cwd: root, stdio: 'inherit' },
);
// Node resolves the compiled ESM output as modules only with a package.json that says so.
writeFileSync(join(dist, 'package.json'), JSON.stringify({ type: 'module' }));

function copyProtos(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      copyProtos(path);
    } else if (entry.name.endsWith('.proto')) {
      cpSync(path, join(dist, path.slice(root.length + 1)));
    }
  }
}
copyProtos(join(root, 'libs'));

for (const app of readdirSync(join(root, 'apps'))) {
  const extra = join(root, 'apps', app, 'build.mjs');
  if (existsSync(extra)) {
    execFileSync(process.execPath, [extra], { cwd: root, stdio: 'inherit' });
  }
}
