// Test support for the dataplane integration specs: throwaway namespaces with unique names, probes that run
// inside them, and cleanup of everything it started. Used by *.int-spec.ts only; it shells out directly
// because it plays the container runtime and the workloads, not the agent.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { runProcess, type ProcessOutcome } from '../../kernel/batch.runner.js';
import { type AgentInNodeRequest } from './agent-in-node.fixture.js';

const PROBE = fileURLToPath(new URL('./net-probe.mjs', import.meta.url));
const AGENT_FIXTURE = fileURLToPath(new URL('./agent-in-node.fixture.ts', import.meta.url));
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../..');

export class NetnsLab {
  readonly id = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  private bundleDir: string | null = null;
  private agentBundle: Promise<string> | null = null;

  /** `ipl-<purpose>-<lab id>`: unique per lab, recognisable as ours. */
  name(purpose: string): string {
    return `ipl-${purpose}-${this.id}`;
  }

  async addNetns(purpose: string): Promise<string> {
    const name = this.name(purpose);
    this.namespaces.push(name);
    await this.must('ip', ['netns', 'add', name]);
    await this.must('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** Runs a command inside a namespace; never throws on a non-zero exit. */
  exec(netns: string, argv: string[]): Promise<ProcessOutcome> {
    return runProcess('ip', ['netns', 'exec', netns, ...argv]);
  }

  async must(file: string, args: string[]): Promise<string> {
    const outcome = await runProcess(file, args);
    if (outcome.code !== 0) {
      throw new Error(`${file} ${args.join(' ')}: ${outcome.stderr.trim()}`);
    }
    return outcome.stdout;
  }

  /** A UDP echo responder on ip:port inside the namespace, running until cleanup. */
  async startEchoServer(netns: string, ip: string, port: number): Promise<void> {
    await this.startProbe(netns, ['echo-server', ip, String(port)]);
  }

  /** One UDP round trip from the namespace to each address; true where an answer came back. */
  async echo(netns: string, ips: string[], port: number, timeoutMs = 2000): Promise<Record<string, boolean>> {
    const out = await this.exec(netns, [process.execPath, PROBE, 'echo', String(timeoutMs), String(port), ...ips]);
    if (out.code !== 0) {
      throw new Error(`echo probe failed: ${out.stderr}`);
    }
    return JSON.parse(out.stdout) as Record<string, boolean>;
  }

  /** Sends `bytes` over TCP from one namespace to a sink in another; returns the rate the sink saw (bit/s). */
  async transferRate(from: string, to: string, toIp: string, bytes: number, timeoutMs = 30_000): Promise<number> {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const sink = await this.startProbe(to, ['sink', toIp, String(port)]);
    const report = new Promise<string>((resolve) => {
      let text = '';
      sink.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const line = text.split('\n').find((l) => l.startsWith('{'));
        if (line) {
          resolve(line);
        }
      });
    });
    const sender = this.exec(from, [
      'timeout',
      String(timeoutMs / 1000),
      process.execPath,
      PROBE,
      'send',
      toIp,
      String(port),
      String(bytes),
    ]);
    const sent = await sender;
    if (sent.code !== 0) {
      throw new Error(`sender failed (${sent.code}): ${sent.stderr}`);
    }
    const { bytes: received, seconds } = JSON.parse(await withTimeout(report, timeoutMs)) as {
      bytes: number;
      seconds: number;
    };
    if (received !== bytes) {
      throw new Error(`sink received ${received} of ${bytes} bytes`);
    }
    return (received * 8) / seconds;
  }

  /** Runs one dataplane call from a process inside `netns`, with the adapter's hostNetns = null. */
  async agentInNode<T>(netns: string, request: AgentInNodeRequest): Promise<T> {
    const bundle = await (this.agentBundle ??= this.bundleAgent());
    const out = await this.exec(netns, [process.execPath, bundle, JSON.stringify(request)]);
    const reply = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as {
      ok: boolean;
      reply?: T;
      error?: string;
    };
    if (!reply.ok) {
      throw new Error(`agent in ${netns}: ${reply.error ?? out.stderr}`);
    }
    return reply.reply as T;
  }

  private async bundleAgent(): Promise<string> {
    // Inside the repository, so that the bundle resolves koffi (loaded with require) from node_modules.
    this.bundleDir = await mkdtemp(join(REPO_ROOT, 'node_modules', '.ipl-agent-fixture-'));
    const outfile = join(this.bundleDir, 'agent-in-node.mjs');
    await build({
      entryPoints: [AGENT_FIXTURE],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      tsconfig: join(REPO_ROOT, 'tsconfig.json'),
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) {
      child.kill('SIGKILL');
    }
    if (this.bundleDir) {
      await rm(this.bundleDir, { recursive: true, force: true });
    }
    for (const name of this.namespaces.reverse()) {
      await runProcess('ip', ['netns', 'del', name]);
    }
  }

  private async startProbe(netns: string, args: string[]): Promise<ChildProcess> {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, PROBE, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) {
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`probe ${args.join(' ')} exited with ${code}`)));
    });
    await withTimeout(ready, 10_000);
    return child;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
