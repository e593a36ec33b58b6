// Small predicates over a namespace snapshot, shared by the dataplanes' `check`. Each returns the problem it
// found or null, so a check reads as a list of expectations.
import { TABLE_MAIN, type NetSnapshot } from '../kernel/index.js';
import { problem, type DataplaneProblem, type ProblemCode } from './dataplane.js';

const hostPart = (dst: string): string => (dst.endsWith('/32') ? dst.slice(0, -3) : dst);

export function expectLinkUp(snap: NetSnapshot, code: ProblemCode, name: string): DataplaneProblem | null {
  const link = snap.links.find((l) => l.name === name);
  if (!link) {
    return problem(code, `${name} does not exist`);
  }
  return link.up ? null : problem(code, `${name} is down`);
}

export function expectAddress(snap: NetSnapshot, dev: string, ip: string, prefix: number): DataplaneProblem | null {
  const found = snap.addresses.some((a) => a.dev === dev && a.ip === ip && a.prefix === prefix);
  return found ? null : problem('pod-address', `${ip}/${prefix} is not on ${dev}`);
}

export interface RouteExpectation {
  dst: string;
  dev: string;
  via?: string;
  table?: number;
}

export function expectRoute(snap: NetSnapshot, code: ProblemCode, want: RouteExpectation): DataplaneProblem | null {
  const table = want.table ?? TABLE_MAIN;
  const found = snap.routes.some(
    (r) =>
      r.table === table &&
      hostPart(r.dst) === hostPart(want.dst) &&
      r.dev === want.dev &&
      (want.via === undefined || r.gateway === want.via),
  );
  const via = want.via ? ` via ${want.via}` : '';
  return found ? null : problem(code, `no route ${want.dst}${via} dev ${want.dev} in table ${table}`);
}

export function expectRule(
  snap: NetSnapshot,
  want: { priority: number; from?: string; to?: string; table: number },
): DataplaneProblem | null {
  const found = snap.rules.some(
    (r) => r.priority === want.priority && r.from === want.from && r.to === want.to && r.table === want.table,
  );
  const selector = want.from ? `from ${want.from}` : `to ${want.to}`;
  return found ? null : problem('host-rule', `no rule ${want.priority}: ${selector} lookup ${want.table}`);
}

export function expectPermanentNeighbour(
  snap: NetSnapshot,
  dev: string,
  ip: string,
  mac: string,
): DataplaneProblem | null {
  const entry = snap.neighbours.find((n) => n.dev === dev && n.ip === ip);
  const ok = entry?.permanent === true && entry.mac?.toLowerCase() === mac.toLowerCase();
  return ok ? null : problem('pod-neighbour', `no permanent neighbour ${ip} lladdr ${mac} on ${dev}`);
}

export const present = (items: (DataplaneProblem | null)[]): DataplaneProblem[] =>
  items.filter((item): item is DataplaneProblem => item !== null);
