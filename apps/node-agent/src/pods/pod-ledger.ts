// How the agent's record of a pod relates to the ledger's Allocation: what an allocation says the record
// should hold, and how a recorded pod differs from what the ledger says (for CHECK).
import { type Allocation, type PodRef } from '@ipledger/proto';
import { type DataplaneProblem } from '../dataplane/index.js';
import { type PodDataplaneMode, type PodRecord, type PodRecordEni } from '../state/pod-record.js';
import { type ConfiguredPod } from './pod-dataplanes.js';

export const podName = (pod: PodRef): string => `${pod.namespace}/${pod.name}`;

/** The dataplane mode of an allocation, or null for a mode this agent does not serve. */
export function modeOf(allocation: Pick<Allocation, 'mode'>): PodDataplaneMode | null {
  const mode = allocation.mode === '' ? 'eniip' : allocation.mode;
  return mode === 'eniip' || mode === 'eni' ? mode : null;
}

/** The ENI of an allocation; a shared ENI's primary address comes from elsewhere (the pool view). */
export function eniOf(allocation: Allocation, primaryIp: string): PodRecordEni {
  return {
    id: allocation.eni.id,
    mac: allocation.eni.mac,
    gateway: allocation.gateway,
    vswitchCidr: allocation.vswitch_cidr,
    primaryIp,
  };
}

/** What a record for a pod the agent never recorded can say, from the ledger's allocation of it. */
export function recordFromAllocation(base: PodRecord, allocation: Allocation, node: string): PodRecord {
  const mode = modeOf(allocation);
  if (allocation.node !== node || allocation.container_id !== base.containerId || !mode) {
    return base;
  }
  return { ...base, ip: allocation.ip, mode, eni: eniOf(allocation, allocation.ip) };
}

export function describeProblems(problems: readonly DataplaneProblem[]): string {
  return problems.map((p) => `${p.code}: ${p.detail}`).join('; ');
}

export function ledgerMismatches(record: ConfiguredPod, allocation: Allocation, node: string): DataplaneProblem[] {
  const problems: DataplaneProblem[] = [];
  if (allocation.node !== node) {
    problems.push({ code: 'pod-address', detail: `the ledger places the pod on node ${allocation.node}` });
  }
  if (allocation.container_id && allocation.container_id !== record.containerId) {
    problems.push({
      code: 'pod-address',
      detail: `the ledger's address belongs to container ${allocation.container_id}`,
    });
  }
  if (allocation.ip !== record.ip) {
    problems.push({ code: 'pod-address', detail: `the ledger gives ${allocation.ip}, the pod has ${record.ip}` });
  }
  if (allocation.eni.mac.toLowerCase() !== record.eni.mac.toLowerCase()) {
    problems.push({ code: 'eni-missing', detail: `the ledger puts the address on ENI ${allocation.eni.id}` });
  }
  return problems;
}
