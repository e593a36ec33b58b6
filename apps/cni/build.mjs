// Builds the CNI plugin for fast start (scripts/build.mjs runs this after SWC; tests run it into a temp dir):
//   <out>/ipledger-cni.mjs  one esbuild bundle with no dependencies but node: built-ins
//   <out>/ipledger-cni      a standalone bun executable of that bundle (bytecode-compiled), or, when bun is
//                           missing or fails, a `#!/usr/bin/env node` launcher of the bundle.
// Usage: node apps/cni/build.mjs [--out <dir>] [--no-bun]
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: { out: { type: 'string', default: join(root, 'dist/cni') }, 'no-bun': { type: 'boolean', default: false } },
});
const out = resolve(values.out);
const bundle = join(out, 'ipledger-cni.mjs');
const executable = join(out, 'ipledger-cni');
const bun = join(root, 'node_modules/bun/bin/bun.exe');

mkdirSync(out, { recursive: true });
rmSync(executable, { force: true });

const { metafile } = await build({
  entryPoints: [join(root, 'apps/cni/src/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  tsconfig: join(root, 'tsconfig.json'),
  // The CNI half of @ipledger/proto only: its index also exports the gRPC client.
  alias: { '@ipledger/proto': join(root, 'libs/proto/src/cni.ts') },
  banner: { js: '#!/usr/bin/env node' },
  metafile: true,
  logLevel: 'warning',
});
chmodSync(bundle, 0o755);
// The binary is tiny by construction: our sources and node: built-ins, never a package.
const packages = Object.keys(metafile.inputs).filter((input) => input.includes('node_modules'));
if (packages.length > 0) {
  throw new Error(`apps/cni/build.mjs: the CNI bundle must not include packages, found ${packages.join(', ')}`);
}

function compileWithBun() {
  // .env and bunfig.toml autoloading is off: the runtime's working directory must not change what we do.
  execFileSync(
    bun,
    [
      'build',
      '--compile',
      '--bytecode',
      '--minify',
      '--no-compile-autoload-dotenv',
      '--no-compile-autoload-bunfig',
      bundle,
      '--outfile',
      executable,
    ],
    { cwd: out, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

function writeNodeLauncher() {
  writeFileSync(executable, '#!/usr/bin/env node\nimport "./ipledger-cni.mjs";\n', { mode: 0o755 });
}

let kind = 'node launcher';
if (!values['no-bun'] && existsSync(bun)) {
  try {
    compileWithBun();
    kind = 'bun executable';
  } catch (err) {
    console.warn(`apps/cni/build.mjs: bun compile failed (${err.message}); using a node launcher`);
  }
}
if (!existsSync(executable)) {
  writeNodeLauncher();
}
const kib = (path) => `${Math.round(statSync(path).size / 1024)} KiB`;
console.log(`ipledger-cni: ${bundle} (${kib(bundle)}), ${executable} (${kind}, ${kib(executable)})`);
