// Kernel writes as data. Dataplanes describe what they want; the adapter turns a list of these into as few
// tool runs as possible (ip -batch, tc -batch) and decides which failures mean "already done".
import { type NsTarget } from './kernel.port.js';

export type NetOp =
  /** A veth pair; the peer may be created directly inside another namespace. */
  | {
      kind: 'veth-add';
      name: string;
      mac?: string;
      mtu?: number;
      peer: { name: string; mac?: string; netns?: NsTarget };
    }
  | { kind: 'ifb-add'; name: string; mtu?: number }
  | { kind: 'link-up'; dev: string }
  | { kind: 'link-down'; dev: string }
  | { kind: 'link-rename'; dev: string; newName: string }
  | { kind: 'link-alias'; dev: string; alias: string }
  /** Moves a device into another namespace, optionally renaming it on the way. */
  | { kind: 'link-move'; dev: string; netns: NsTarget; newName?: string }
  | { kind: 'link-del'; dev: string }
  | { kind: 'addr-replace'; dev: string; cidr: string }
  | { kind: 'addr-del'; dev: string; cidr: string }
  | {
      kind: 'route-replace';
      dst: string;
      dev: string;
      via?: string;
      onlink?: boolean;
      table?: number;
      scope?: 'link' | 'host';
    }
  | { kind: 'route-del'; dst: string; dev?: string; table?: number }
  | { kind: 'rule-add'; priority: number; from?: string; to?: string; table: number }
  /** Without `table` any rule with that priority and selector goes. */
  | { kind: 'rule-del'; priority: number; from?: string; to?: string; table?: number }
  /** A permanent neighbour entry. */
  | { kind: 'neigh-replace'; dev: string; ip: string; mac: string }
  | { kind: 'neigh-del'; dev: string; ip: string }
  /** Token bucket as the root qdisc of `dev`; shapes what `dev` transmits. */
  | { kind: 'tbf-replace'; dev: string; rateBps: number; burstBytes: number; latencyMs: number }
  /** Everything `dev` receives is redirected to the egress of `to` (ingress qdisc + u32 match-all + mirred). */
  | { kind: 'ingress-redirect'; dev: string; to: string }
  | { kind: 'qdisc-del'; dev: string; parent: 'root' | 'ingress' };

export type NetOpKind = NetOp['kind'];

/** The tool that performs an operation; consecutive operations of one tool share a process. */
export type NetTool = 'ip' | 'tc';

export function toolOf(op: NetOp): NetTool {
  switch (op.kind) {
    case 'tbf-replace':
    case 'ingress-redirect':
    case 'qdisc-del':
      return 'tc';
    case 'veth-add':
    case 'ifb-add':
    case 'link-up':
    case 'link-down':
    case 'link-rename':
    case 'link-alias':
    case 'link-move':
    case 'link-del':
    case 'addr-replace':
    case 'addr-del':
    case 'route-replace':
    case 'route-del':
    case 'rule-add':
    case 'rule-del':
    case 'neigh-replace':
    case 'neigh-del':
      return 'ip';
  }
}

/** Consecutive operations of one tool. */
export interface ToolRun {
  tool: NetTool;
  ops: NetOp[];
}

/** Splits a list into runs of one tool each, keeping the order. */
export function splitByTool(ops: readonly NetOp[]): ToolRun[] {
  const runs: ToolRun[] = [];
  for (const op of ops) {
    const tool = toolOf(op);
    const last = runs.at(-1);
    if (last?.tool === tool) {
      last.ops.push(op);
    } else {
      runs.push({ tool, ops: [op] });
    }
  }
  return runs;
}

/** A reason an operation may fail and still mean that the desired state holds. */
export type Benign = 'exists' | 'absent';

const ABSENT =
  /Cannot find device|does not exist|No such file or directory|No such process|Address not found|Cannot assign requested address|Invalid handle|handle of zero|Cannot find specified qdisc/i;
const EXISTS = /File exists/i;

/** Which failure of this operation still means success: "exists" for adds, "absent" for deletes. */
export function benignFor(op: NetOp): Benign | null {
  switch (op.kind) {
    case 'veth-add':
    case 'ifb-add':
    case 'rule-add':
      return 'exists';
    // A device that is gone is as down as it gets (a deleted netns took the veth along).
    case 'link-down':
    case 'link-del':
    case 'addr-del':
    case 'route-del':
    case 'rule-del':
    case 'neigh-del':
    case 'qdisc-del':
      return 'absent';
    case 'link-up':
    case 'link-rename':
    case 'link-alias':
    case 'link-move':
    case 'addr-replace':
    case 'route-replace':
    case 'neigh-replace':
    case 'tbf-replace':
    case 'ingress-redirect':
      return null;
  }
}

/**
 * Whether the tool's message for a failed operation still means success (idempotency). The netlink adapter
 * makes the same decision from the errno (`benignErrno` in netlink-errno.ts): both compare against `benignFor`.
 */
export function isBenignFailure(op: NetOp, message: string): boolean {
  const benign = benignFor(op);
  if (benign === 'exists') {
    return EXISTS.test(message);
  }
  if (benign === 'absent') {
    return ABSENT.test(message);
  }
  return false;
}
