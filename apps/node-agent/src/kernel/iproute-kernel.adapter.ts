// KernelPort on iproute2: one `ip -force -batch` (or `tc -force -batch`) process per namespace and tool run.
// Measured at about 2 ms per process here, so a pod is wired in two processes (docs/dataplane.md).
import { access, readFile, writeFile } from 'node:fs/promises';
import { KernelError } from './kernel-error.js';
import { type KernelPort, type NetSnapshot, type NsTarget, type QdiscInfo, type SnapshotPart } from './kernel.port.js';
import {
  parseAddresses,
  parseJsonLines,
  parseLinks,
  parseNeighbours,
  parseQdiscs,
  parseRedirectTargets,
  parseRoutes,
  parseRules,
} from './ip-json.parser.js';
import { runBatch, runProcess } from './batch.runner.js';
import { isBenignFailure, splitByTool, type NetOp, type ToolRun } from './net-op.js';
import { renderOp } from './net-op.renderer.js';
import { iprouteCommand, netnsArgument, nsCommand, resolveNs, type ResolvedNs } from './netns-target.js';

const ALL_PARTS: readonly SnapshotPart[] = ['links', 'addresses', 'routes', 'rules', 'neighbours'];

const SHOW: Record<SnapshotPart, string> = {
  links: 'link show',
  addresses: 'addr show',
  routes: 'route show table all',
  rules: 'rule show',
  neighbours: 'neigh show',
};

export const sysctlPath = (key: string): string => `/proc/sys/${key.replaceAll('.', '/')}`;

export class IprouteKernelAdapter implements KernelPort {
  constructor(readonly hostNetns: string | null) {}

  async apply(target: NsTarget, ops: readonly NetOp[]): Promise<void> {
    const ns = resolveNs(target, this.hostNetns);
    for (const run of splitByTool(ops)) {
      await this.applyRun(ns, target, run);
    }
  }

  private async applyRun(ns: ResolvedNs, target: NsTarget, run: ToolRun): Promise<void> {
    const lines: string[] = [];
    const lineOps: NetOp[] = [];
    for (const op of run.ops) {
      for (const line of renderOp(op, (t) => netnsArgument(t, this.hostNetns, process.pid))) {
        lines.push(line);
        lineOps.push(op);
      }
    }
    const [file, args] = iprouteCommand(run.tool, ns, ['-force', '-batch', '-']);
    const outcome = await runBatch(file, args, lines);
    const where = this.label(target);
    for (const [line, message] of outcome.failures) {
      const op = lineOps[line - 1];
      if (op === undefined || !isBenignFailure(op, message)) {
        throw new KernelError(`${run.tool} in ${where}: "${lines[line - 1]}" failed: ${message}`, {
          netns: where,
          command: lines[line - 1],
          stderr: message,
        });
      }
    }
    if (outcome.aborted !== null) {
      throw new KernelError(`${run.tool} in ${where} stopped: ${outcome.aborted}`, {
        netns: where,
        stderr: outcome.aborted,
      });
    }
  }

  async read(target: NsTarget, parts: readonly SnapshotPart[] = ALL_PARTS): Promise<NetSnapshot> {
    const ns = resolveNs(target, this.hostNetns);
    const [file, args] = iprouteCommand('ip', ns, ['-4', '-d', '-j', '-batch', '-']);
    const outcome = await runBatch(
      file,
      args,
      parts.map((part) => SHOW[part]),
    );
    if (outcome.code !== 0) {
      throw new KernelError(`cannot read ${this.label(target)}: ${outcome.aborted ?? 'ip failed'}`, {
        netns: this.label(target),
      });
    }
    const docs = parseJsonLines(outcome.stdout, parts.length);
    const snapshot: NetSnapshot = { links: [], addresses: [], routes: [], rules: [], neighbours: [] };
    parts.forEach((part, i) => {
      const rows = docs[i] ?? [];
      switch (part) {
        case 'links':
          snapshot.links = parseLinks(rows);
          break;
        case 'addresses':
          snapshot.addresses = parseAddresses(rows);
          break;
        case 'routes':
          snapshot.routes = parseRoutes(rows);
          break;
        case 'rules':
          snapshot.rules = parseRules(rows);
          break;
        case 'neighbours':
          snapshot.neighbours = parseNeighbours(rows);
          break;
      }
    });
    return snapshot;
  }

  async qdiscs(target: NsTarget): Promise<QdiscInfo[]> {
    const stdout = await this.run(target, iprouteCommand('tc', this.ns(target), ['-j', 'qdisc', 'show']));
    return parseQdiscs(JSON.parse(stdout || '[]') as Record<string, unknown>[]);
  }

  async ingressRedirects(target: NsTarget, dev: string): Promise<string[]> {
    const [file, args] = iprouteCommand('tc', this.ns(target), ['-j', 'filter', 'show', 'dev', dev, 'ingress']);
    const outcome = await runProcess(file, args);
    if (outcome.code !== 0) {
      return [];
    }
    return parseRedirectTargets(JSON.parse(outcome.stdout || '[]') as Record<string, unknown>[]);
  }

  async readSysctls(target: NsTarget, keys: readonly string[]): Promise<Record<string, string>> {
    const ns = this.ns(target);
    let values: string[];
    if (ns.path === null) {
      values = await Promise.all(keys.map(async (key) => (await readFile(sysctlPath(key), 'utf8')).trim()));
    } else {
      const stdout = await this.run(target, nsCommand('sysctl', ns, ['-n', ...keys]));
      values = stdout.trim().split('\n');
    }
    return Object.fromEntries(keys.map((key, i) => [key, values[i] ?? '']));
  }

  async writeSysctls(target: NsTarget, values: Readonly<Record<string, string>>): Promise<void> {
    const ns = this.ns(target);
    const entries = Object.entries(values);
    if (entries.length === 0) {
      return;
    }
    if (ns.path === null) {
      await Promise.all(entries.map(([key, value]) => writeFile(sysctlPath(key), value)));
      return;
    }
    const assignments = entries.map(([key, value]) => `${key}=${value}`);
    await this.run(target, nsCommand('sysctl', ns, ['-q', '-w', ...assignments]));
  }

  async nft(target: NsTarget, script: string): Promise<string> {
    return this.run(target, nsCommand('nft', this.ns(target), ['-f', '-']), script);
  }

  async netnsExists(target: NsTarget): Promise<boolean> {
    const { path } = this.ns(target);
    if (path === null) {
      return true;
    }
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  }

  private ns(target: NsTarget): ResolvedNs {
    return resolveNs(target, this.hostNetns);
  }

  private label(target: NsTarget): string {
    return target.kind === 'host' ? `host(${this.hostNetns ?? 'self'})` : target.netns;
  }

  private async run(target: NsTarget, [file, args]: [string, string[]], input?: string): Promise<string> {
    const outcome = await runProcess(file, args, input);
    if (outcome.code !== 0) {
      throw new KernelError(`${file} ${args.join(' ')} in ${this.label(target)} failed: ${outcome.stderr.trim()}`, {
        netns: this.label(target),
        stderr: outcome.stderr.trim(),
      });
    }
    return outcome.stdout;
  }
}
