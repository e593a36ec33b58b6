// `npm run bench` (node dist/bench/run.js [--only name[,name]] [--out file]): runs the benchmarks one after
// another and writes docs/benchmarks.md. A missed target is reported, never an exit status: only a broken
// runner fails. With --only, the other benchmarks' sections are kept from the existing file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allocatorWarmPool } from './allocator-warm-pool.bench.js';
import { cloudCalls } from './cloud-calls.bench.js';
import { cniLatency } from './cni-latency.bench.js';
import { dataplaneSetup } from './dataplane-setup.bench.js';
import { eventToApplied } from './event-to-applied.bench.js';
import { REPO_ROOT } from './support/allocator-process.js';
import { dropBenchDatabases, postgresSettings } from './support/bench-database.js';
import { type Benchmark, NotMeasured } from './support/benchmark.js';
import { currentLoad, machineInfo, type MachineInfo } from './support/machine.js';
import { type BenchSection, renderSection } from './support/report.js';
import { adminDatabaseUrl } from '@ipledger/testing';

const BENCHMARKS: readonly Benchmark[] = [allocatorWarmPool, cloudCalls, cniLatency, dataplaneSetup, eventToApplied];
// The built tree this runner belongs to (dist/bench/run.js → dist) holds the apps it starts, so that a copy
// of dist can be benchmarked while the working tree is rebuilt.
process.env.IPLEDGER_DIST_DIR ??= resolve(import.meta.dirname, '..');

interface RunOptions {
  only: Set<string> | null;
  out: string;
}

function parseOptions(argv: readonly string[]): RunOptions {
  const options: RunOptions = { only: null, out: join(REPO_ROOT, 'docs/benchmarks.md') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--only') {
      options.only = new Set(value().split(',').filter(Boolean));
    } else if (flag === '--out') {
      options.out = resolve(value());
    } else {
      throw new Error(`unknown argument ${argv[i]} (use --only <name>[,<name>] and --out <file>)`);
    }
  }
  const unknown = [...(options.only ?? [])].filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  }
  return options;
}

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function runOne(benchmark: Benchmark): Promise<BenchSection> {
  const base = { name: benchmark.name, title: benchmark.title };
  const controller = new AbortController();
  const started = Date.now();
  const loadBefore = currentLoad();
  log(`▶ ${benchmark.name}`);
  const timer = setTimeout(() => controller.abort(new Error('time limit')), benchmark.timeoutMs);
  // Past its limit a benchmark gets a minute to notice the abort and clean up; one stuck in an await is left
  // behind so that the others still run (its child processes die with the runner).
  let stuck: NodeJS.Timeout | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => {
      stuck = setTimeout(() => reject(new Error('it did not stop within a minute of its time limit')), 60_000);
    });
  });
  try {
    const outcome = await Promise.race([
      benchmark.run({ log: (line) => log(`  ${line}`), signal: controller.signal }),
      abandoned,
    ]);
    const seconds = Math.round((Date.now() - started) / 1000);
    const footer = `_Measured ${new Date(started).toISOString()} in ${seconds} s; 1-minute load average ${loadBefore.toFixed(1)} before, ${currentLoad().toFixed(1)} after._`;
    log(`✔ ${benchmark.name} (${seconds} s)`);
    return { ...base, ...outcome, footer };
  } catch (error) {
    const reason =
      error instanceof NotMeasured
        ? error.message
        : controller.signal.aborted
          ? `the benchmark did not finish within ${benchmark.timeoutMs / 60_000} min (${(error as Error).message})`
          : `the benchmark failed: ${(error as Error).message}`;
    log(`✘ ${benchmark.name}: ${reason}`);
    return { ...base, body: '', targets: [], notMeasured: reason.split('\n')[0] };
  } finally {
    clearTimeout(timer);
    clearTimeout(stuck);
  }
}

function header(machine: MachineInfo, postgres: string, startedAt: Date): string {
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`bench/run.ts`, one module per benchmark in `bench/`); do not edit by hand.',
    'Every figure was measured by the run named below, each beside a baseline measured in the same run on the',
    'same machine. Targets are marked ✅ pass or ❌ miss; a miss never fails the build. Where a benchmark could',
    'not run, its section says why instead of showing a figure. Load generators, Postgres, nats-server, ecs-sim',
    'and the allocator share the machine, and other work may run beside them (see the load averages).',
    `\`npm run bench -- --only <name>[,<name>]\` measures some sections again and keeps the others; names: ${BENCHMARKS.map((b) => `\`${b.name}\``).join(', ')}.`,
    '',
    `- Last run: ${startedAt.toISOString()} (each section says when it was measured)`,
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB`,
    `- OS: ${machine.os}, kernel ${machine.kernel}; Node.js ${machine.node}`,
    `- PostgreSQL: ${postgres}`,
    `- 1-minute load average at the start: ${machine.loadAtStart.toFixed(1)}`,
    '',
  ].join('\n');
}

// Read back from the sections' text, so that sections kept from an earlier run (--only) are summarised too.
function summary(titles: readonly string[], texts: readonly string[]): string {
  const lines = texts.flatMap((text, i) => {
    if (/^Not measured: /m.test(text)) {
      return [`| ${titles[i]} | — | not measured |`];
    }
    const targets = [...text.matchAll(/^\| (.+?) \| [<>]= .*\| (✅ pass|❌ miss) \|$/gm)];
    return targets.map((m) => `| ${titles[i]} | ${m[1]} | ${m[2]} |`);
  });
  return ['## Summary', '', '| benchmark | target | result |', '|---|---|---|', ...lines, ''].join('\n');
}

const SECTION = /<!-- bench:([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g;

function previousSections(file: string): Map<string, string> {
  const found = new Map<string, string>();
  if (existsSync(file)) {
    for (const match of readFileSync(file, 'utf8').matchAll(SECTION)) {
      found.set(match[1], match[2]);
    }
  }
  return found;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  await dropBenchDatabases(); // those of earlier runs that died
  const startedAt = new Date();
  const machine = machineInfo();
  const postgres = await postgresSettings(adminDatabaseUrl()).catch((e: Error) => `unreachable (${e.message})`);
  const kept = previousSections(options.out);
  const texts: string[] = [];
  for (const benchmark of BENCHMARKS) {
    if (options.only && !options.only.has(benchmark.name)) {
      const old = kept.get(benchmark.name);
      texts.push(
        old ??
          renderSection({
            name: benchmark.name,
            title: benchmark.title,
            body: '',
            targets: [],
            notMeasured: 'not run yet',
          }),
      );
      continue;
    }
    texts.push(renderSection(await runOne(benchmark)));
  }
  await dropBenchDatabases().catch((error: Error) => log(`bench: dropping the bench databases: ${error.message}`));
  const document = [
    header(machine, postgres, startedAt),
    summary(
      BENCHMARKS.map((b) => b.title),
      texts,
    ),
    ...texts.map(
      (text, i) => `<!-- bench:${BENCHMARKS[i].name} -->\n${text.trimEnd()}\n<!-- /bench:${BENCHMARKS[i].name} -->\n`,
    ),
  ].join('\n');
  writeFileSync(options.out, document);
  log(`wrote ${options.out}`);
}

// A stray failure inside a benchmark (an 'error' event nobody listens to) must not end the run before its
// cleanups removed namespaces and processes: it is logged, and the benchmark fails or times out on its own.
process.on('uncaughtException', (error) => log(`bench: uncaught: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => log(`bench: unhandled rejection: ${String(reason)}`));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`bench: ${(error as Error).message}`);
    process.exit(1);
  },
);
