// Pods on real namespaces, wired by the ipledger-cni executable through real node agents, talking through the
// simulated VPC (DESIGN.md §9): ecs-sim with the netns fabric, the allocator process, Postgres and NATS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterPod, type LocalCluster } from '../apps/devcluster/src/local-cluster.js';
import { podNames } from '../apps/node-agent/src/dataplane/pod-naming.js';
import { e2eCluster, eventually } from './support/e2e-cluster.js';

const COOLDOWN_SECONDS = 4;
const LIMIT_BPS = 10_000_000;
/** kubelet's "no particular burst" (MaxInt32 bits) when a pod only sets a rate. */
const KUBELET_BURST = 2 ** 31 - 1;

const env = e2eCluster('pod_networking', {
  eniConfig: { ip_cooldown: `${COOLDOWN_SECONDS}s`, max_pool_size: 6 },
  agentEnv: { IPLEDGER_REPAIR_INTERVAL: '2s' },
});
let cluster: LocalCluster;
const pods: Record<string, ClusterPod> = {};

beforeAll(async () => {
  ({ cluster } = await env.start());
  // Two shared-ENI nodes in different zones (so pod traffic crosses vSwitches through the VPC router) and an
  // exclusive-ENI node.
  await Promise.all([
    cluster.addNode({ name: 'node-a', zone: 'cn-hangzhou-h' }),
    cluster.addNode({ name: 'node-b', zone: 'cn-hangzhou-i' }),
    cluster.addNode({ name: 'node-c', zone: 'cn-hangzhou-h', mode: 'eni' }),
  ]);
  const [a1, a2, b1, b2] = await Promise.all([
    cluster.addPod('node-a', { name: 'a1' }),
    cluster.addPod('node-a', { name: 'a2' }),
    cluster.addPod('node-b', { name: 'b1' }),
    cluster.addPod('node-b', { name: 'b2' }),
  ]);
  Object.assign(pods, { a1, a2, b1, b2 });
});

afterAll(async () => {
  await env.stop();
});

const ipsOf = (...names: string[]): string[] => names.map((name) => pods[name].ip);

describe('pods on two nodes', () => {
  it('get addresses from their zone’s pod vSwitch', () => {
    for (const name of ['a1', 'a2']) {
      expect(pods[name].ip).toMatch(/^10\.0\.2\.\d+$/);
    }
    for (const name of ['b1', 'b2']) {
      expect(pods[name].ip).toMatch(/^10\.0\.4\.\d+$/);
    }
    expect(new Set(ipsOf('a1', 'a2', 'b1', 'b2')).size).toBe(4);
  });

  it('reach every other pod, on the same node and across nodes through the VPC gateway', async () => {
    const names = ['a1', 'a2', 'b1', 'b2'];
    for (const name of names) {
      const others = ipsOf(...names.filter((other) => other !== name));
      const reached = await cluster.ping(pods[name], others);
      expect(reached, `from ${name}`).toEqual(Object.fromEntries(others.map((ip) => [ip, true])));
    }
  });
});

describe('CHECK and repair', () => {
  it('passes CHECK, names a route removed by hand, and the agent restores it', async () => {
    const pod = pods.a1;
    expect((await cluster.checkPod(pod)).code).toBe(0);

    await cluster.exec(pod.netns, ['ip', 'route', 'del', 'default']);
    const broken = await cluster.checkPod(pod);
    expect(broken.code).not.toBe(0);
    expect(broken.json).toMatchObject({ msg: expect.stringContaining('pod-route') });
    expect((await cluster.ping(pod, ipsOf('b1'), 1500))[pods.b1.ip]).toBe(false);

    await eventually(async () => expect((await cluster.checkPod(pod)).code).toBe(0), 30_000, 500);
    expect((await cluster.ping(pod, ipsOf('b1')))[pods.b1.ip]).toBe(true);
    expect(cluster.agentLog('node-a')).toContain('pod network damaged; restoring it');
  });
});

describe('DEL', () => {
  it('stops the address from answering and returns it to the pool only after the cooldown', async () => {
    const pod = pods.b2;
    expect((await cluster.ping(pods.a2, [pod.ip]))[pod.ip]).toBe(true);

    const deleted = await cluster.removePod(pod);
    expect(deleted.code).toBe(0);
    expect((await cluster.ping(pods.a2, [pod.ip], 1500))[pod.ip]).toBe(false);
    await expect(cluster.allocator.getAllocation({ ip: pod.ip })).rejects.toMatchObject({ codeName: 'NOT_FOUND' });

    const released = eventData(await historyOf(cluster, pod.ip, 'IpReleased'));
    const cooldownUntil = Date.parse(released.cooldownUntil!);
    expect(cooldownUntil - Date.parse(released.at)).toBe(COOLDOWN_SECONDS * 1000);

    const ended = eventData(await eventually(() => historyOf(cluster, pod.ip, 'IpCooldownEnded'), 30_000, 500));
    expect(Date.parse(ended.at)).toBeGreaterThanOrEqual(cooldownUntil);
    const pool = await cluster.allocator.describePool({ node: 'node-b' });
    expect(pool.cooling).toBe(0);
  });

  it('deletes the pod’s veth after answering, while its namespace still exists', async () => {
    const pod = await cluster.addPod('node-b', { name: 'vethgone' });
    const hostVeth = podNames(pod.containerId).hostVeth;
    const nodeNetns = cluster.node('node-b').netns;
    expect((await links(cluster, nodeNetns)).map((l) => l.ifname)).toContain(hostVeth);

    // DEL alone (removePod would also delete the namespace, which takes the veth with it).
    const deleted = await cluster.cni('node-b', 'DEL', pod, { cniVersion: pod.cniVersion });
    expect(deleted.code).toBe(0);
    await eventually(async () => {
      expect((await links(cluster, nodeNetns)).map((l) => l.ifname)).not.toContain(hostVeth);
      expect((await links(cluster, pod.netns)).map((l) => l.ifname)).toEqual(['lo']);
    }, 10_000);
    await cluster.removePod(pod);
  });
});

describe('an exclusive-ENI pod', () => {
  it('owns its ENI inside its namespace and still reaches a Service address through veth1', async () => {
    const pod = await cluster.addPod('node-c', { name: 'exclusive' });
    const allocation = await cluster.allocator.getAllocation({
      pod: { namespace: pod.namespace, name: pod.name, uid: pod.uid },
    });
    expect(allocation.mode).toBe('eni');

    const podLinks = await links(cluster, pod.netns);
    expect(podLinks.find((l) => l.ifname === 'eth0')?.address).toBe(allocation.eni.mac.toLowerCase());
    expect(podLinks.map((l) => l.ifname)).toContain('veth1');
    const nodeLinks = await links(cluster, cluster.node('node-c').netns);
    expect(nodeLinks.map((l) => l.address)).not.toContain(allocation.eni.mac.toLowerCase());

    // What kube-proxy would answer for: a Service address held by the node itself.
    const serviceIp = '172.21.0.10';
    await cluster.exec(cluster.node('node-c').netns, ['ip', 'addr', 'add', `${serviceIp}/32`, 'dev', 'lo']);
    expect(await cluster.ping(pod, [serviceIp, pods.a1.ip])).toEqual({ [serviceIp]: true, [pods.a1.ip]: true });
    expect((await cluster.checkPod(pod)).code).toBe(0);

    // DEL gives the NIC back to the node (under its own name) and the address back to the ledger.
    expect((await cluster.removePod(pod)).code).toBe(0);
    const home = (await links(cluster, cluster.node('node-c').netns)).find(
      (l) => l.address === allocation.eni.mac.toLowerCase(),
    );
    expect(home?.ifname).toMatch(/^eth\d+$/);
    await expect(cluster.allocator.getAllocation({ ip: allocation.ip })).rejects.toMatchObject({
      codeName: 'NOT_FOUND',
    });
  });
});

describe('the agent’s metrics', () => {
  it('expose how long events took from the ledger to the node', async () => {
    const text = await cluster.agentMetrics('node-a');
    expect(text).toMatch(/ipledger_agent_apply_duration_seconds_count\{[^}]*event_type="EniAttached"[^}]*\} [1-9]/);
    expect(text).toMatch(/ipledger_agent_apply_duration_seconds_bucket\{[^}]*le="0\.1"[^}]*\} \d+/);
  });
});

describe('a bandwidth-limited pod', () => {
  it('is held to 10 Mbit/s in both directions, while an unlimited pod is not', async () => {
    const limited = await cluster.addPod('node-a', {
      name: 'limited',
      bandwidth: {
        ingressRate: LIMIT_BPS,
        ingressBurst: KUBELET_BURST,
        egressRate: LIMIT_BPS,
        egressBurst: KUBELET_BURST,
      },
    });
    const bytes = 3_000_000;
    const egress = await cluster.transferRate(limited, pods.b1, pods.b1.ip, bytes);
    const ingress = await cluster.transferRate(pods.b1, limited, limited.ip, bytes);
    const unlimited = await cluster.transferRate(pods.a2, pods.b1, pods.b1.ip, bytes);
    for (const rate of [egress, ingress]) {
      expect(rate).toBeLessThan(LIMIT_BPS * 1.1);
      expect(rate).toBeGreaterThan(LIMIT_BPS * 0.5);
    }
    expect(unlimited).toBeGreaterThan(LIMIT_BPS * 3);
  });
});

async function historyOf(cluster: LocalCluster, ip: string, type: string) {
  for await (const entry of cluster.allocator.history({ ip })) {
    if (entry.type === type) {
      return entry;
    }
  }
  throw new Error(`no ${type} in the history of ${ip}`);
}

const eventData = (entry: { data_json: string }) =>
  JSON.parse(entry.data_json) as { at: string; cooldownUntil?: string };

async function links(cluster: LocalCluster, netns: string): Promise<{ ifname: string; address: string }[]> {
  const out = await cluster.exec(netns, ['ip', '-j', 'link', 'show']);
  return JSON.parse(out.stdout) as { ifname: string; address: string }[];
}
