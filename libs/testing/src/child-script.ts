import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Compiles a TypeScript entry (with its @ipledger/* imports) into one ESM file that plain `node` runs, for
 * tests that need a real separate process (e.g. to SIGKILL it). npm packages stay imports; the file lives
 * under node_modules/.cache so that they resolve. No decorator metadata: not for Nest or TypeORM entities.
 */
export async function bundleScript(entry: string): Promise<string> {
  const dir = join(ROOT, 'node_modules/.cache/ipledger-testing');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `script-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: join(ROOT, 'tsconfig.json'),
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return outfile;
}
