// Makes a shared ENI ready to carry pod traffic: its NIC (found by MAC) up, and route table 1000 + ifindex with
// `default via <vSwitch gateway> dev <nic> onlink` (Terway's layout). The NIC holds no address: the ledger hands
// the ENI's primary IP to a pod like its secondary IPs (docs/domain.md), and a node that also claimed it would
// take that pod's traffic for itself. ARP towards the gateway then borrows the node's primary address.
import { DomainError } from '@ipledger/domain';
import { HOST_NS, type KernelPort, type LinkInfo, type NetSnapshot } from '../kernel/index.js';
import { problem, type DataplaneProblem, type EniSpec } from './dataplane.js';

export const ENI_TABLE_BASE = 1000;

export interface PreparedEni {
  mac: string;
  ifName: string;
  ifIndex: number;
  /** 1000 + ifIndex: where `from <pod ip>` rules send pod traffic. */
  table: number;
}

/** Node-wide settings every pod dataplane relies on: the node routes pod traffic and never drops it for
 *  arriving on "the wrong" interface (pod replies enter on the ENI, requests leave through a policy table). */
export const NODE_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
};

export const sameMac = (a: string | undefined, b: string): boolean => a?.toLowerCase() === b.toLowerCase();

export function nicByMac(links: readonly LinkInfo[], mac: string): LinkInfo | undefined {
  return links.find((link) => sameMac(link.mac, mac) && link.kind !== 'bridge');
}

export class EniPreparer {
  private readonly prepared = new Map<string, PreparedEni>();

  constructor(private readonly kernel: KernelPort) {}

  /** The cached preparation of this ENI, or a fresh one. Call `prepare` again after the NIC changed. */
  async ensure(eni: EniSpec): Promise<PreparedEni> {
    return this.prepared.get(eni.mac.toLowerCase()) ?? this.prepare(eni);
  }

  async prepare(eni: EniSpec): Promise<PreparedEni> {
    const snapshot = await this.kernel.read(HOST_NS, ['links', 'addresses']);
    const nic = nicByMac(snapshot.links, eni.mac);
    if (!nic) {
      throw new DomainError('not-found', `no NIC with the MAC of ENI ${eni.mac} on this node`, { mac: eni.mac });
    }
    const table = ENI_TABLE_BASE + nic.index;
    const hasPrimary = snapshot.addresses.some((a) => a.dev === nic.name && a.ip === eni.primaryIp);
    await this.kernel.writeSysctls(HOST_NS, { ...NODE_SYSCTLS, [`net.ipv4.conf.${nic.name}.rp_filter`]: '0' });
    await this.kernel.apply(HOST_NS, [
      { kind: 'link-up', dev: nic.name },
      // Left by an earlier version; removing a NIC's last address also drops its routes, so the route follows.
      ...(hasPrimary ? [{ kind: 'addr-del' as const, dev: nic.name, cidr: `${eni.primaryIp}/32` }] : []),
      { kind: 'route-replace', dst: 'default', via: eni.gateway, dev: nic.name, onlink: true, table },
    ]);
    const result: PreparedEni = { mac: eni.mac.toLowerCase(), ifName: nic.name, ifIndex: nic.index, table };
    this.prepared.set(result.mac, result);
    return result;
  }

  forget(mac: string): void {
    this.prepared.delete(mac.toLowerCase());
  }

  async check(eni: EniSpec): Promise<DataplaneProblem[]> {
    const snapshot = await this.kernel.read(HOST_NS, ['links', 'routes']);
    const problems = checkEniIn(snapshot, eni);
    const nic = nicByMac(snapshot.links, eni.mac);
    const keys = [...Object.keys(NODE_SYSCTLS), ...(nic ? [`net.ipv4.conf.${nic.name}.rp_filter`] : [])];
    const values = await this.kernel.readSysctls(HOST_NS, keys);
    const wanted: Record<string, string> = { ...NODE_SYSCTLS, ...(nic ? { [keys.at(-1)!]: '0' } : {}) };
    for (const key of keys) {
      if (values[key] !== wanted[key]) {
        problems.push(problem('sysctl', `${key} is ${values[key]}, want ${wanted[key]}`));
      }
    }
    return problems;
  }
}

/** ENI problems visible in a host snapshot (links + routes). */
export function checkEniIn(snapshot: NetSnapshot, eni: EniSpec): DataplaneProblem[] {
  const nic = nicByMac(snapshot.links, eni.mac);
  if (!nic) {
    return [problem('eni-missing', `no NIC with MAC ${eni.mac}`)];
  }
  const problems: DataplaneProblem[] = [];
  if (!nic.up) {
    problems.push(problem('eni-missing', `NIC ${nic.name} of ENI ${eni.mac} is down`));
  }
  const table = ENI_TABLE_BASE + nic.index;
  const hasDefault = snapshot.routes.some(
    (r) => r.table === table && r.dst === 'default' && r.gateway === eni.gateway && r.dev === nic.name,
  );
  if (!hasDefault) {
    problems.push(problem('eni-table', `table ${table} lacks default via ${eni.gateway} dev ${nic.name}`));
  }
  return problems;
}
