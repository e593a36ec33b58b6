// The netns fabric on real namespaces: instances get NICs carrying their ENI's MAC, the vpc namespace routes
// between vSwitches, knows where each assigned address lives, and drops what an ENI sends from an address
// that is not its own. Nothing leaves the test's own namespaces.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsVpcFabric, bridgeName, portName } from './netns-vpc-fabric.js';
import { type FabricEni, type FabricVSwitch } from './vpc-fabric.js';

const run = promisify(execFile);
const id = randomBytes(3).toString('hex');
const fabric = new NetnsVpcFabric({ netns: `ipl-fvpc-${id}` });
const nodeA = `ipl-fa-${id}`;
const nodeB = `ipl-fb-${id}`;
const vswA: FabricVSwitch = { id: 'vsw-a', cidr: '10.66.1.0/24', gateway: '10.66.1.253' };
const vswB: FabricVSwitch = { id: 'vsw-b', cidr: '10.66.2.0/24', gateway: '10.66.2.253' };
const eniA: FabricEni = { eniId: 'eni-a', mac: '00:16:3e:66:00:0a', vswitch: vswA, primaryIp: '10.66.1.10' };
const eniB: FabricEni = { eniId: 'eni-b', mac: '00:16:3e:66:00:0b', vswitch: vswB, primaryIp: '10.66.2.10' };
const eniB2: FabricEni = { eniId: 'eni-b2', mac: '00:16:3e:66:00:0c', vswitch: vswB, primaryIp: '10.66.2.20' };

const ip = async (netns: string, ...args: string[]): Promise<string> =>
  (await run('ip', ['-n', netns, ...args])).stdout;
const json = async <T>(netns: string, ...args: string[]): Promise<T[]> =>
  JSON.parse((await ip(netns, '-j', ...args)) || '[]') as T[];

/** A TCP connect from one namespace to ip:port; "refused" proves a round trip, "timeout" proves a drop. */
async function connect(netns: string, target: string, port: number, source?: string): Promise<string> {
  const script = `const s=require('net').connect({host:'${target}',port:${port}${source ? `,localAddress:'${source}'` : ''}});
    s.setTimeout(1500,()=>{console.log('timeout');process.exit(0)});
    s.on('connect',()=>{console.log('connected');process.exit(0)});
    s.on('error',e=>{console.log(e.code==='ECONNREFUSED'?'refused':e.code);process.exit(0)});`;
  return (await run('ip', ['netns', 'exec', netns, process.execPath, '-e', script])).stdout.trim();
}

beforeAll(async () => {
  for (const ns of [nodeA, nodeB]) {
    await run('ip', ['netns', 'add', ns]);
  }
  await fabric.addVSwitch(vswA);
  await fabric.addVSwitch(vswB);
  await fabric.attachEni({ instanceId: 'i-a', netns: nodeA }, eniA, 0);
  await fabric.attachEni({ instanceId: 'i-b', netns: nodeB }, eniB, 0);
  await fabric.assignIps(eniA, [eniA.primaryIp]);
  await fabric.assignIps(eniB, [eniB.primaryIp]);
});

afterAll(async () => {
  await fabric.close();
  for (const ns of [nodeA, nodeB]) {
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
});

describe('NetnsVpcFabric', () => {
  it('gives the instance a NIC named by device index that carries the ENI MAC, configured when primary', async () => {
    const links = await json<{ ifname: string; address: string }>(nodeA, 'link', 'show', 'eth0');
    expect(links[0]?.address).toBe(eniA.mac);
    expect(await ip(nodeA, 'route', 'show', 'default')).toContain(`via ${vswA.gateway} dev eth0`);
  });

  it('routes between vSwitches through their gateways', async () => {
    expect(await connect(nodeA, eniB.primaryIp, 9)).toBe('refused');
    expect(await connect(nodeB, eniA.primaryIp, 9)).toBe('refused');
  });

  it('knows assigned addresses as permanent neighbours and forgets them on unassign', async () => {
    await fabric.assignIps(eniA, ['10.66.1.50', '10.66.1.51']);
    await fabric.assignIps(eniA, ['10.66.1.50']);
    const neigh = await json<{ dst: string; lladdr: string; state: string[] }>(
      fabric.netns,
      'neigh',
      'show',
      'dev',
      bridgeName(vswA.id),
    );
    expect(neigh).toContainEqual(
      expect.objectContaining({ dst: '10.66.1.51', lladdr: eniA.mac, state: ['PERMANENT'] }),
    );
    await fabric.unassignIps(eniA, ['10.66.1.50', '10.66.1.51']);
    await fabric.unassignIps(eniA, ['10.66.1.50']);
    const after = await json<{ dst: string }>(fabric.netns, 'neigh', 'show', 'dev', bridgeName(vswA.id));
    expect(after.map((n) => n.dst)).not.toContain('10.66.1.51');
  });

  it('drops traffic an ENI sends from an address not assigned to it', async () => {
    await ip(nodeA, 'addr', 'add', '10.66.1.60/32', 'dev', 'eth0');
    expect(await connect(nodeA, eniB.primaryIp, 9, '10.66.1.60')).toBe('timeout');
    await fabric.assignIps(eniA, ['10.66.1.60']);
    expect(await connect(nodeA, eniB.primaryIp, 9, '10.66.1.60')).toBe('refused');
    await fabric.unassignIps(eniA, ['10.66.1.60']);
    expect(await connect(nodeA, eniB.primaryIp, 9, '10.66.1.60')).toBe('timeout');
  });

  it('attaches and detaches a secondary ENI idempotently, leaving it down for the node to configure', async () => {
    const instance = { instanceId: 'i-b', netns: nodeB };
    await fabric.attachEni(instance, eniB2, 1);
    await fabric.attachEni(instance, eniB2, 1);
    const [eth1] = await json<{ address: string; flags: string[] }>(nodeB, 'link', 'show', 'eth1');
    expect(eth1?.address).toBe(eniB2.mac);
    expect(eth1?.flags).not.toContain('UP');
    const [port] = await json<{ master: string }>(fabric.netns, 'link', 'show', portName(eniB2.eniId));
    expect(port?.master).toBe(bridgeName(vswB.id));
    await fabric.detachEni(instance, eniB2);
    await fabric.detachEni(instance, eniB2);
    const names = (await json<{ ifname: string }>(nodeB, 'link', 'show')).map((l) => l.ifname);
    expect(names).not.toContain('eth1');
  });

  it('ignores instances without a namespace', async () => {
    await fabric.attachEni({ instanceId: 'i-none', netns: null }, eniB2, 3);
    const ports = (await json<{ ifname: string }>(fabric.netns, 'link', 'show')).map((l) => l.ifname);
    expect(ports).not.toContain(portName(eniB2.eniId));
  });

  it('removes the vpc namespace on close, and closing twice is fine', async () => {
    const other = new NetnsVpcFabric({ netns: `ipl-fvpc2-${id}` });
    await other.addVSwitch(vswA);
    expect((await run('ip', ['netns', 'list'])).stdout).toContain(other.netns);
    await other.close();
    await other.close();
    expect((await run('ip', ['netns', 'list'])).stdout).not.toContain(other.netns);
  });
});
