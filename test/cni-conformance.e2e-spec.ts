// The ipledger-cni executable run as the kubelet's runtime runs it (CNI_* environment, configuration on
// stdin, one JSON document on stdout), against a real node agent, for every command and both spec versions
// ipledger speaks, including the error cases the spec defines.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterPod, type LocalCluster, type PodAttachment } from '../apps/devcluster/src/local-cluster.js';
import { e2eCluster, eventually } from './support/e2e-cluster.js';

const NODE = 'node-cni';
const env = e2eCluster('cni_conformance', { agentEnv: { IPLEDGER_REPAIR_INTERVAL: '2s' } });
let cluster: LocalCluster;

beforeAll(async () => {
  ({ cluster } = await env.start());
  await cluster.addNode({ name: NODE, zone: 'cn-hangzhou-h' });
});

afterAll(async () => {
  await env.stop();
});

const allocated = async (): Promise<string[]> =>
  (await cluster.allocator.listAllocations({ node: NODE })).allocations.map((a) => a.container_id).sort();

/** A pod namespace the runtime created but never gave to the plugin. */
const unwiredPod = (label: string) => cluster.createPodNamespace({ namespace: 'conformance', name: label });

async function podLinks(netns: string): Promise<string[]> {
  const out = await cluster.exec(netns, ['ip', '-j', 'link', 'show']);
  return (JSON.parse(out.stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
}

async function nodeVeths(): Promise<string[]> {
  const out = await cluster.exec(cluster.node(NODE).netns, ['ip', '-j', 'link', 'show']);
  return (JSON.parse(out.stdout) as { ifname: string }[]).map((l) => l.ifname).filter((n) => n.startsWith('ipl'));
}

describe.each(['1.0.0', '1.1.0'] as const)('CNI spec %s', (cniVersion) => {
  let pod: ClusterPod;

  it('VERSION lists both versions', async () => {
    const outcome = await cluster.cni(NODE, 'VERSION', null, { stdin: JSON.stringify({ cniVersion }) });
    expect(outcome.code).toBe(0);
    expect(outcome.json).toEqual({ cniVersion, supportedVersions: ['1.0.0', '1.1.0'] });
  });

  it('ADD answers a result in the config’s version, with the pod’s interface, address and routes', async () => {
    pod = await cluster.addPod(NODE, { cniVersion, name: `add-${cniVersion.replaceAll('.', '')}` });
    expect(pod.result.cniVersion).toBe(cniVersion);
    const sandbox = pod.result.interfaces?.findIndex((i) => i.sandbox === pod.netnsPath);
    expect(sandbox).toBeGreaterThanOrEqual(0);
    expect(pod.result.interfaces?.[sandbox!]).toMatchObject({ name: 'eth0', mac: expect.stringMatching(/^02:/) });
    expect(pod.result.ips).toEqual([{ address: `${pod.ip}/32`, gateway: '169.254.1.1', interface: sandbox }]);
    expect(pod.result.routes).toEqual([{ dst: '0.0.0.0/0', gw: '169.254.1.1' }]);
    expect(await allocated()).toContain(pod.containerId);
  });

  it('CHECK succeeds silently', async () => {
    const outcome = await cluster.checkPod(pod);
    expect(outcome).toMatchObject({ code: 0, stdout: '' });
  });

  if (cniVersion === '1.1.0') {
    it('STATUS succeeds silently while the allocator answers', async () => {
      expect(await cluster.cni(NODE, 'STATUS', null, { cniVersion })).toMatchObject({ code: 0, stdout: '' });
    });

    it('GC keeps valid attachments and removes the others', async () => {
      const stale = await cluster.addPod(NODE, { cniVersion, name: 'gc-stale' });
      const valid = [{ containerID: pod.containerId, ifname: 'eth0' }];
      const outcome = await cluster.cni(NODE, 'GC', null, {
        cniVersion,
        netconf: { 'cni.dev/valid-attachments': valid },
      });
      expect(outcome).toMatchObject({ code: 0, stdout: '' });
      expect(await allocated()).toContain(pod.containerId);
      expect(await allocated()).not.toContain(stale.containerId);
      expect(await podLinks(stale.netns)).toEqual(['lo']);
      expect((await cluster.checkPod(pod)).code).toBe(0);
    });
  } else {
    it('STATUS is refused: the config’s version predates it', async () => {
      const outcome = await cluster.cni(NODE, 'STATUS', null, { cniVersion });
      expect(outcome.code).toBe(1);
      expect(outcome.json).toMatchObject({ code: 1, msg: expect.stringContaining('cniVersion') });
    });
  }

  it('DEL succeeds silently, removes the pod and releases its address; a second DEL succeeds too', async () => {
    for (let i = 0; i < 2; i++) {
      const outcome = await cluster.cni(NODE, 'DEL', pod, { cniVersion });
      expect(outcome).toMatchObject({ code: 0, stdout: '' });
    }
    expect(await allocated()).not.toContain(pod.containerId);
    expect(await podLinks(pod.netns)).toEqual(['lo']);
  });

  it('DEL of a pod never seen succeeds', async () => {
    const ghost = await unwiredPod(`ghost${cniVersion.replaceAll('.', '')}`);
    expect(await cluster.cni(NODE, 'DEL', ghost, { cniVersion })).toMatchObject({ code: 0, stdout: '' });
    const noNetns = { ...ghost, netnsPath: '' };
    expect(await cluster.cni(NODE, 'DEL', noNetns, { cniVersion })).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('errors', () => {
  const refused = async (
    label: string,
    change: (pod: PodAttachment) => Parameters<LocalCluster['cni']>[3],
    expected: { code: number; field: string },
  ) => {
    const pod = await unwiredPod(label);
    const before = await allocated();
    const outcome = await cluster.cni(NODE, 'ADD', pod, { cniVersion: '1.1.0', ...change(pod) });
    expect(outcome.code).toBe(1);
    expect(outcome.json).toMatchObject({
      cniVersion: '1.1.0',
      code: expected.code,
      msg: expect.stringContaining(expected.field),
    });
    expect(await allocated()).toEqual(before);
    expect(await podLinks(pod.netns)).toEqual(['lo']);
  };

  it('a config without a network name is code 7 naming "name"', async () => {
    await refused('noname', () => ({ netconf: { name: undefined } }), { code: 7, field: 'name' });
  });

  it('a config that is not JSON is code 6', async () => {
    await refused('notjson', () => ({ stdin: '{"cniVersion": "1.1.0",' }), { code: 6, field: 'stdin' });
  });

  it('a missing CNI_CONTAINERID is code 4 naming it', async () => {
    await refused('noid', () => ({ env: { CNI_CONTAINERID: undefined } }), { code: 4, field: 'CNI_CONTAINERID' });
  });

  it('CNI_ARGS without the pod uid is code 4 naming K8S_POD_UID', async () => {
    await refused(
      'nouid',
      (pod) => ({ env: { CNI_ARGS: `K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name}` } }),
      {
        code: 4,
        field: 'K8S_POD_UID',
      },
    );
  });

  it('an unknown CNI_NETNS is code 4 naming it, with nothing allocated', async () => {
    await refused('nonetns', () => ({ env: { CNI_NETNS: '/var/run/netns/ipl-does-not-exist' } }), {
      code: 4,
      field: 'CNI_NETNS',
    });
  });

  it('an unreachable allocator is code 11, with no half-configured pod', async () => {
    const pod = await unwiredPod('noallocator');
    const record = join(cluster.node(NODE).stateDir, 'pods', `${pod.containerId}.json`);
    const vethsBefore = await nodeVeths();
    await cluster.stopAllocator('SIGKILL');
    try {
      const outcome = await cluster.cni(NODE, 'ADD', pod, { cniVersion: '1.1.0' });
      expect(outcome.code).toBe(1);
      expect(outcome.json).toMatchObject({ code: 11 });
      expect(await podLinks(pod.netns)).toEqual(['lo']);
      expect(await nodeVeths()).toEqual(vethsBefore);
      // The allocator might have handed out an address before it died: the agent remembers to give it back.
      expect(existsSync(record)).toBe(true);
    } finally {
      await cluster.startAllocator();
    }
    // Once the allocator is back, the agent's repair loop confirms the release and forgets the attempt.
    await eventually(() => Promise.resolve(expect(existsSync(record)).toBe(false)), 30_000, 500);
    expect(await allocated()).not.toContain(pod.containerId);
  });
});
