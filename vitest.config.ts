import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const tsconfig = JSON.parse(readFileSync(resolve(root, 'tsconfig.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, resolve(root, target)]),
);

const plugins = [
  swc.vite({
    module: { type: 'es6' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
  }),
];

// Three kinds of test, by file name (STYLE.md): pure unit specs, integration specs against the real Postgres
// and a real nats-server, and end-to-end flows under test/ that run the built apps on real network namespaces.
export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    globalSetup: [resolve(root, 'libs/testing/src/global-setup.ts')],
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{apps,libs,bench,deploy}/**/*.spec.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'int',
          sequence: { groupOrder: 1 },
          include: ['{apps,libs}/**/*.int-spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['test/**/*.e2e-spec.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
