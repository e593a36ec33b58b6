// A VPC on one machine (DESIGN.md §9). One `vpc` namespace is the VPC's router: a bridge per vSwitch that
// owns the vSwitch gateway address, IP forwarding between the bridges, and a permanent neighbour entry for
// every address the VPC has placed on an ENI. An attached ENI is a veth: the instance's end carries the
// ENI's MAC and is named like a real NIC (`eth<deviceIndex>`), the other end is a port of the vSwitch bridge.
// Like ECS, the VPC drops what an ENI sends from an address that is not assigned to it (nftables in the vpc
// namespace), so a pod that leaves through the wrong ENI is cut off here as it would be in the cloud.
// Instance namespaces are the caller's; this fabric creates and deletes only the `vpc` namespace.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { type FabricEni, type FabricInstance, type FabricVSwitch, type VpcFabric } from './vpc-fabric.js';

/** Alibaba Cloud answers for every vSwitch gateway with this MAC; each bridge is its own L2, so all share it. */
export const GATEWAY_MAC = 'ee:ff:ff:ff:ff:ff';

const VPC_SYSCTLS = [
  'net.ipv4.ip_forward=1',
  'net.ipv4.conf.all.rp_filter=0',
  'net.ipv4.conf.default.rp_filter=0',
  // Nodes on one vSwitch talk through the gateway (policy routes); a redirect would tell them to stop.
  'net.ipv4.conf.all.send_redirects=0',
  'net.ipv4.conf.default.send_redirects=0',
];

// Like the cloud's vSwitch, the gateway answers ARP for every address of the vSwitch, at once, so that
// instances with a connected /prefix route (an exclusive ENI) still send everything through the router.
const bridgeSysctls = (bridge: string): string[] => [
  `net.ipv4.conf.${bridge}.proxy_arp=1`,
  `net.ipv4.conf.${bridge}.proxy_arp_pvlan=1`,
  `net.ipv4.neigh.${bridge}.proxy_delay=0`,
];

// Frames entering the VPC through an ENI port must carry a source address assigned to that ENI. ARP between
// instances is not bridged: only the gateway answers, so all traffic crosses the router as in the cloud.
const SOURCE_CHECK = `table bridge vpc {
  set assigned { type ifname . ipv4_addr; }
  chain to_router { type filter hook input priority 0; policy accept; iifname . ip saddr != @assigned drop; }
  chain within_vswitch {
    type filter hook forward priority 0; policy accept;
    ether type arp drop;
    iifname . ip saddr != @assigned drop;
  }
}
`;

const hex = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** The bridge of a vSwitch inside the vpc namespace. */
export const bridgeName = (vswitchId: string): string => `vsw${hex(vswitchId, 12)}`;
/** The VPC-side end of an ENI's veth. */
export const portName = (eniId: string): string => `vpe${hex(eniId, 12)}`;

export interface NetnsVpcFabricOptions {
  /** Name of the vpc namespace; default `ipl-vpc-<8 random hex digits>`. */
  netns?: string;
}

type Benign = 'exists' | 'absent' | null;
interface Line {
  text: string;
  benign: Benign;
}
const add = (text: string): Line => ({ text, benign: 'exists' });
const del = (text: string): Line => ({ text, benign: 'absent' });
const set = (text: string): Line => ({ text, benign: null });

const EXISTS = /File exists/i;
const ABSENT = /Cannot find device|does not exist|No such file or directory|No such process/i;

export class NetnsVpcFabric implements VpcFabric {
  readonly netns: string;
  private created: Promise<void> | null = null;
  private readonly bridges = new Set<string>();

  constructor(options: NetnsVpcFabricOptions = {}) {
    this.netns = options.netns ?? `ipl-vpc-${randomBytes(4).toString('hex')}`;
  }

  async addVSwitch(vswitch: FabricVSwitch): Promise<void> {
    await this.ensureNamespace();
    const bridge = bridgeName(vswitch.id);
    const prefix = vswitch.cidr.split('/')[1];
    await batch('ip', this.netns, [
      add(`link add ${bridge} address ${GATEWAY_MAC} type bridge`),
      set(`link set dev ${bridge} up`),
      set(`addr replace ${vswitch.gateway}/${prefix} dev ${bridge}`),
    ]);
    await run('ip', ['netns', 'exec', this.netns, 'sysctl', '-q', '-w', ...bridgeSysctls(bridge)]);
    this.bridges.add(vswitch.id);
  }

  async attachEni(instance: FabricInstance, eni: FabricEni, deviceIndex: number): Promise<void> {
    if (instance.netns === null) {
      return;
    }
    if (!this.bridges.has(eni.vswitch.id)) {
      await this.addVSwitch(eni.vswitch);
    }
    const port = portName(eni.eniId);
    const nic = `eth${deviceIndex}`;
    await batch('ip', this.netns, [
      add(`link add ${port} type veth peer name ${nic} address ${eni.mac} netns ${instance.netns}`),
      set(`link set dev ${port} master ${bridgeName(eni.vswitch.id)}`),
      set(`link set dev ${port} up`),
      set(`neigh replace ${eni.primaryIp} dev ${bridgeName(eni.vswitch.id)} lladdr ${eni.mac} nud permanent`),
    ]);
    // The bridge need not learn the ENI's MAC from traffic first: the VPC knows where the ENI is.
    await batch('bridge', this.netns, [set(`fdb replace ${eni.mac} dev ${port} master static`)]);
    await this.nft(`add element bridge vpc assigned { ${port} . ${eni.primaryIp} }\n`);
    if (deviceIndex === 0) {
      await this.bootPrimaryNic(instance.netns, nic, eni);
    }
  }

  async detachEni(instance: FabricInstance, eni: FabricEni): Promise<void> {
    if (instance.netns === null) {
      return;
    }
    await this.ensureNamespace();
    // Deleting the VPC end destroys the instance end too, wherever it lives now (e.g. inside a pod).
    await batch('ip', this.netns, [del(`link del dev ${portName(eni.eniId)}`)]);
    await this.forgetAddresses(eni, [eni.primaryIp]);
  }

  async assignIps(eni: FabricEni, ips: string[]): Promise<void> {
    if (ips.length === 0) {
      return;
    }
    if (!this.bridges.has(eni.vswitch.id)) {
      await this.addVSwitch(eni.vswitch);
    }
    const bridge = bridgeName(eni.vswitch.id);
    await batch(
      'ip',
      this.netns,
      ips.map((ip) => set(`neigh replace ${ip} dev ${bridge} lladdr ${eni.mac} nud permanent`)),
    );
    await this.nft(`add element bridge vpc assigned { ${elements(eni, ips)} }\n`);
  }

  async unassignIps(eni: FabricEni, ips: string[]): Promise<void> {
    await this.ensureNamespace();
    await this.forgetAddresses(eni, ips);
    if (ips.length > 0) {
      // Adding first makes the delete succeed whether or not the element was there (nft has no "if exists").
      const list = elements(eni, ips);
      await this.nft(`add element bridge vpc assigned { ${list} }\ndelete element bridge vpc assigned { ${list} }\n`);
    }
  }

  async close(): Promise<void> {
    await batch('ip', null, [del(`netns del ${this.netns}`)]);
    this.created = null;
    this.bridges.clear();
  }

  private ensureNamespace(): Promise<void> {
    this.created ??= (async () => {
      await batch('ip', null, [add(`netns add ${this.netns}`)]);
      await run('ip', ['netns', 'exec', this.netns, 'sysctl', '-q', '-w', ...VPC_SYSCTLS]);
      await batch('ip', this.netns, [set('link set dev lo up')]);
      await this.nft(SOURCE_CHECK);
    })().catch((error: unknown) => {
      this.created = null;
      throw error;
    });
    return this.created;
  }

  private async nft(script: string): Promise<void> {
    await run('ip', ['netns', 'exec', this.netns, 'nft', '-f', '-'], script);
  }

  /** What DHCP and the image do on a real instance: the primary NIC comes up with its address and route. */
  private async bootPrimaryNic(netns: string, nic: string, eni: FabricEni): Promise<void> {
    const prefix = eni.vswitch.cidr.split('/')[1];
    await batch('ip', netns, [
      set(`link set dev ${nic} up`),
      set(`addr replace ${eni.primaryIp}/${prefix} dev ${nic}`),
      set(`route replace default via ${eni.vswitch.gateway} dev ${nic}`),
    ]);
  }

  /** Removes the VPC's entries for these addresses, unless they already point at another ENI. */
  private async forgetAddresses(eni: FabricEni, ips: string[]): Promise<void> {
    const bridge = bridgeName(eni.vswitch.id);
    const shown = await run('ip', ['-n', this.netns, '-j', 'neigh', 'show', 'dev', bridge]).catch(() => '[]');
    const entries = JSON.parse(shown || '[]') as { dst: string; lladdr?: string }[];
    const mine = new Set(entries.filter((e) => e.lladdr?.toLowerCase() === eni.mac.toLowerCase()).map((e) => e.dst));
    // `neigh del` of a vanished entry would end the batch early; flush is quiet about it.
    const lines = ips.filter((ip) => mine.has(ip)).map((ip) => del(`neigh flush to ${ip} dev ${bridge} nud permanent`));
    if (lines.length > 0) {
      await batch('ip', this.netns, lines);
    }
  }
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], input = ''): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

const elements = (eni: FabricEni, ips: string[]): string =>
  ips.map((ip) => `${portName(eni.eniId)} . ${ip}`).join(', ');

async function run(file: string, args: string[], input = ''): Promise<string> {
  const outcome = await exec(file, args, input);
  if (outcome.code !== 0) {
    throw new Error(`${file} ${args.join(' ')}: ${outcome.stderr.trim()}`);
  }
  return outcome.stdout;
}

/** One `-force -batch` process; failures that mean "already so" are ignored, any other one throws. */
async function batch(tool: 'ip' | 'bridge', netns: string | null, lines: Line[]): Promise<void> {
  const nsArgs = netns === null ? [] : ['-n', netns];
  const outcome = await exec(tool, [...nsArgs, '-force', '-batch', '-'], lines.map((l) => l.text).join('\n') + '\n');
  let pending: string[] = [];
  for (const text of outcome.stderr.split('\n')) {
    const marker = /^Command failed \S*:(\d+)$/.exec(text.trim());
    if (!marker) {
      pending.push(text.trim());
      continue;
    }
    const line = lines[Number(marker[1]) - 1];
    const message = pending.join(' ').trim();
    pending = [];
    const ok =
      (line?.benign === 'exists' && EXISTS.test(message)) || (line?.benign === 'absent' && ABSENT.test(message));
    if (!ok) {
      throw new Error(`${tool} -n ${netns ?? '(root)'}: "${line?.text}" failed: ${message}`);
    }
  }
  const trailing = pending.filter((text) => text !== '').join(' ');
  if (outcome.code !== 0 && trailing !== '') {
    throw new Error(`${tool} -n ${netns ?? '(root)'} stopped: ${trailing}`);
  }
}
