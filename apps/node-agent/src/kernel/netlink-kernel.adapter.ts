// KernelPort with the `ip` writes done over rtnetlink inside the agent (no process per batch), and sysctls
// of another namespace read and written through /proc/sys from inside it (the net sysctls a thread sees are
// its current namespace's); `tc` writes, reads and nft stay with the iproute2 adapter, which this one wraps. One socket lives in the host
// namespace for the agent's lifetime; a pod's namespace gets a socket for the length of one `apply`.
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { IprouteKernelAdapter, sysctlPath } from './iproute-kernel.adapter.js';
import { KernelError } from './kernel-error.js';
import { type KernelPort, type NetSnapshot, type NsTarget, type QdiscInfo, type SnapshotPart } from './kernel.port.js';
import { loadLibc, type Libc } from './libc.binding.js';
import { describeErrno, errnoName, isBenignErrno } from './netlink-errno.js';
import { NetlinkOpsRunner, type OpOutcome } from './netlink-ops.runner.js';
import { isIpOp, type IpOp } from './netlink-request.encoder.js';
import { inNetns, NetlinkSocket, openNetns } from './netlink.socket.js';
import { splitByTool, type NetOp } from './net-op.js';
import { renderOp } from './net-op.renderer.js';
import { resolveNs } from './netns-target.js';

export class NetlinkKernelAdapter implements KernelPort {
  private readonly iproute: IprouteKernelAdapter;
  private hostSocket: NetlinkSocket | null = null;

  private constructor(
    readonly hostNetns: string | null,
    private readonly libc: Libc,
    /** The main thread's own namespace, to return to after creating a socket elsewhere. */
    private readonly homeNsFd: number,
  ) {
    this.iproute = new IprouteKernelAdapter(hostNetns);
  }

  /**
   * Loads libc through koffi and proves that a netlink socket opens; throws when either fails, so the caller
   * can fall back to iproute2. Must run on the main thread in the agent's own namespace (it always does).
   */
  static open(hostNetns: string | null, libc: Libc = loadLibc()): NetlinkKernelAdapter {
    const homeNsFd = openSync('/proc/thread-self/ns/net', 'r');
    try {
      NetlinkSocket.open(libc, null, homeNsFd).close();
    } catch (error) {
      closeSync(homeNsFd);
      throw error;
    }
    return new NetlinkKernelAdapter(hostNetns, libc, homeNsFd);
  }

  async apply(target: NsTarget, ops: readonly NetOp[]): Promise<void> {
    for (const run of splitByTool(ops)) {
      if (run.tool === 'tc') {
        await this.iproute.apply(target, run.ops);
      } else {
        await this.applyIp(target, run.ops.filter(isIpOp));
      }
    }
  }

  read(target: NsTarget, parts?: readonly SnapshotPart[]): Promise<NetSnapshot> {
    return this.iproute.read(target, parts);
  }

  qdiscs(target: NsTarget): Promise<QdiscInfo[]> {
    return this.iproute.qdiscs(target);
  }

  ingressRedirects(target: NsTarget, dev: string): Promise<string[]> {
    return this.iproute.ingressRedirects(target, dev);
  }

  readSysctls(target: NsTarget, keys: readonly string[]): Promise<Record<string, string>> {
    const path = resolveNs(target, this.hostNetns).path;
    if (path === null) {
      return this.iproute.readSysctls(target, keys);
    }
    return this.inside(target, path, () =>
      Object.fromEntries(keys.map((key) => [key, readFileSync(sysctlPath(key), 'utf8').trim()])),
    );
  }

  writeSysctls(target: NsTarget, values: Readonly<Record<string, string>>): Promise<void> {
    const path = resolveNs(target, this.hostNetns).path;
    if (path === null) {
      return this.iproute.writeSysctls(target, values);
    }
    return this.inside(target, path, () => {
      for (const [key, value] of Object.entries(values)) {
        writeFileSync(sysctlPath(key), value);
      }
    });
  }

  nft(target: NsTarget, script: string): Promise<string> {
    return this.iproute.nft(target, script);
  }

  netnsExists(target: NsTarget): Promise<boolean> {
    return this.iproute.netnsExists(target);
  }

  /** Closes the host socket; an `apply` after this opens a new one. */
  close(): void {
    this.hostSocket?.close();
    this.hostSocket = null;
  }

  private async applyIp(target: NsTarget, ops: readonly IpOp[]): Promise<void> {
    const where = this.label(target);
    const socket = this.socketFor(target, where);
    const namespaces = new Map<string, number>();
    let outcomes: OpOutcome[];
    try {
      outcomes = await new NetlinkOpsRunner(socket, ops, (t) => this.netnsFd(t, namespaces)).run();
    } catch (error) {
      if (socket === this.hostSocket) {
        // A socket that lost replies cannot be trusted with the next request's sequence numbers.
        this.close();
      }
      throw new KernelError(`netlink in ${where} stopped: ${error instanceof Error ? error.message : String(error)}`, {
        netns: where,
      });
    } finally {
      namespaces.forEach((fd) => closeSync(fd));
      if (socket !== this.hostSocket) {
        socket.close();
      }
    }
    const failed = outcomes.findIndex((o, i) => o.errno !== 0 && (o.local === true || !isBenignErrno(ops[i], o.errno)));
    if (failed >= 0) {
      throw this.failure(where, ops[failed], outcomes[failed]);
    }
  }

  private socketFor(target: NsTarget, where: string): NetlinkSocket {
    try {
      if (target.kind === 'host') {
        this.hostSocket ??= NetlinkSocket.open(this.libc, resolveNs(target, this.hostNetns).path, this.homeNsFd);
        return this.hostSocket;
      }
      return NetlinkSocket.open(this.libc, resolveNs(target, this.hostNetns).path, this.homeNsFd);
    } catch (error) {
      throw new KernelError(`netlink in ${where} stopped: ${error instanceof Error ? error.message : String(error)}`, {
        netns: where,
      });
    }
  }

  /** The namespace a device is created in or moved to, opened once per apply. */
  private netnsFd(target: NsTarget, open: Map<string, number>): number {
    const path = resolveNs(target, this.hostNetns).path;
    if (path === null) {
      return this.homeNsFd;
    }
    let fd = open.get(path);
    if (fd === undefined) {
      fd = openNetns(path);
      open.set(path, fd);
    }
    return fd;
  }

  /** Synchronous /proc work inside another namespace (one setns there and back, no process). */
  private inside<T>(target: NsTarget, path: string, work: () => T): Promise<T> {
    const where = this.label(target);
    try {
      return Promise.resolve(inNetns(this.libc, path, this.homeNsFd, work));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(new KernelError(`sysctl in ${where}: ${reason}`, { netns: where }));
    }
  }

  private failure(where: string, op: IpOp, outcome: OpOutcome): KernelError {
    const command = this.describe(op);
    const reason = `${describeErrno(outcome.errno)}${outcome.detail ? `: ${outcome.detail}` : ''}`;
    return new KernelError(`netlink in ${where}: "${command}" failed: ${reason}`, {
      netns: where,
      command,
      errno: errnoName(outcome.errno),
      ...(outcome.detail ? { detail: outcome.detail } : {}),
    });
  }

  /** The operation in `ip` syntax, which is how people read these. */
  private describe(op: IpOp): string {
    if (op.kind === 'neigh-del') {
      return `neigh del ${op.ip} dev ${op.dev}`;
    }
    try {
      return renderOp(op, (t) => (t.kind === 'host' ? (this.hostNetns ?? 'self') : t.netns)).join('; ');
    } catch {
      return `${op.kind} ${JSON.stringify(op)}`;
    }
  }

  private label(target: NsTarget): string {
    return target.kind === 'host' ? `host(${this.hostNetns ?? 'self'})` : target.netns;
  }
}
