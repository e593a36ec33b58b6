// The node agent's promises about restarts and bad input, on a real local cluster: a restart leaves healthy
// pods untouched and forgets none of them, a crash in the middle of ADD leaks nothing, and a poison message
// on the node's JetStream subject is terminated with a logged reason while the consumer keeps going.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterPod, type LocalCluster } from '../apps/devcluster/src/local-cluster.js';
import { e2eCluster, eventually, type E2eCluster } from './support/e2e-cluster.js';

// No warm pool: every ADD waits for a cloud call, which a test slows down to catch the agent in the middle.
const env = e2eCluster('agent_recovery', {
  eniConfig: { max_pool_size: 0, min_pool_size: 0 },
  agentEnv: { IPLEDGER_REPAIR_INTERVAL: '2s' },
});
let running: E2eCluster;
let cluster: LocalCluster;
let pods: ClusterPod[];

beforeAll(async () => {
  running = await env.start();
  cluster = running.cluster;
  await Promise.all([
    cluster.addNode({ name: 'node-r', zone: 'cn-hangzhou-h' }),
    cluster.addNode({ name: 'node-k', zone: 'cn-hangzhou-i' }),
    // Holds each ADD between its wired dataplane and its `ready` record: a window to crash the agent in.
    cluster.addNode({ name: 'node-x', zone: 'cn-hangzhou-h', env: { IPLEDGER_TEST_ADD_DELAY: '5s' } }),
  ]);
  pods = await Promise.all([
    cluster.addPod('node-r', { name: 'r1' }),
    cluster.addPod('node-r', {
      name: 'r2',
      bandwidth: { ingressRate: 50_000_000, ingressBurst: 400_000, egressRate: 50_000_000, egressBurst: 400_000 },
    }),
    cluster.addPod('node-k', { name: 'k1' }),
  ]);
});

afterAll(async () => {
  await env.stop();
});

/** What a namespace shows: links, IPv4 addresses, rules and routes of every table, qdiscs. */
async function nodeState(netns: string): Promise<string> {
  const parts: string[] = [];
  for (const argv of [
    ['ip', '-d', '-j', 'link', 'show'],
    // IPv4 only: IPv6 link-local addresses finish duplicate detection on their own schedule.
    ['ip', '-4', '-j', 'addr', 'show'],
    ['ip', '-4', '-j', 'rule', 'show'],
    ['ip', '-4', '-j', 'route', 'show', 'table', 'all'],
    ['tc', '-j', 'qdisc', 'show'],
  ]) {
    const out = await cluster.exec(netns, argv);
    // Carrier flaps and neighbour-cache churn are the kernel's, not the agent's doing.
    parts.push(
      out.stdout.replace(
        /"(operstate|linkmode|carrier_changes|carrier_up_count|carrier_down_count)":("[^"]*"|\d+),?/g,
        '',
      ),
    );
  }
  return parts.join('\n');
}

/** The pods' share of the node: veths and ifbs by naming convention, pod rules, routes to pod veths. */
async function podFootprint(netns: string): Promise<string[]> {
  const json = async (argv: string[]) =>
    JSON.parse((await cluster.exec(netns, argv)).stdout) as Record<string, string | number | undefined>[];
  const links = (await json(['ip', '-j', 'link', 'show']))
    .map((l) => String(l.ifname))
    .filter((n) => /^ip[lb][0-9a-f]{11}$/.test(n));
  const rules = (await json(['ip', '-j', 'rule', 'show']))
    .filter((r) => r.priority === 512 || r.priority === 2048)
    .map((r) => `rule ${String(r.priority)} ${String(r.src ?? '')} ${String(r.dst ?? '')} ${String(r.table)}`);
  const routes = (await json(['ip', '-j', 'route', 'show', 'table', 'all']))
    .filter((r) => /^ipl/.test(String(r.dev)))
    .map((r) => `route ${String(r.dst)} ${String(r.dev)}`);
  return [...links, ...rules, ...routes].sort();
}

const allocationKeys = async (node: string): Promise<string[]> =>
  (await cluster.allocator.listAllocations({ node })).allocations.map((a) => `${a.container_id}=${a.ip}`).sort();

describe('agent restart with running pods', () => {
  it('repairs nothing healthy and loses nothing', async () => {
    const node = cluster.node('node-r');
    const before = await nodeState(node.netns);
    const podsBefore = await Promise.all(pods.slice(0, 2).map((p) => nodeState(p.netns)));
    const ledgerBefore = await allocationKeys('node-r');

    await cluster.restartAgent('node-r', 'SIGTERM');
    // Let the startup repair pass and at least one periodic pass run.
    await new Promise((resolve) => setTimeout(resolve, 5_000));

    expect(await nodeState(node.netns)).toEqual(before);
    expect(await Promise.all(pods.slice(0, 2).map((p) => nodeState(p.netns)))).toEqual(podsBefore);
    expect(await allocationKeys('node-r')).toEqual(ledgerBefore);
    for (const pod of pods.slice(0, 2)) {
      expect((await cluster.checkPod(pod)).code).toBe(0);
    }
    expect(await cluster.ping(pods[0], [pods[2].ip, pods[1].ip])).toEqual({ [pods[2].ip]: true, [pods[1].ip]: true });
    const log = cluster.agentLog('node-r');
    expect(log).not.toContain('pod network damaged');
    expect(log).not.toContain('removed devices of an unknown pod');
  });
});

describe('agent killed during ADD', () => {
  it('leaks no address after it restarts, when it died waiting for the allocator', async () => {
    const node = cluster.node('node-k');
    const before = await podFootprint(node.netns);
    const ledgerBefore = await allocationKeys('node-k');
    // A slow cloud keeps the new pod's AllocateIp waiting for addresses while the agent dies.
    cluster.ecs.admin.setConfig({ latencyByApi: { AssignPrivateIpAddresses: 3_000, CreateNetworkInterface: 3_000 } });
    const pending = Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        cluster
          .addPod('node-k', {
            name: `doomed-${i}`,
            bandwidth: { ingressRate: 8_000_000, ingressBurst: 80_000, egressRate: 8_000_000, egressBurst: 80_000 },
          })
          .catch((e: unknown) => e),
      ),
    );
    await eventually(async () => expect(await recordPhases(node.stateDir)).toContain('allocating'), 10_000, 50);
    await cluster.stopAgent('node-k', 'SIGKILL');
    const outcomes = await pending;
    expect(outcomes.every((o) => o instanceof Error)).toBe(true);
    cluster.ecs.admin.setConfig({ latencyByApi: {} });

    await cluster.startAgent('node-k');
    await eventually(
      async () => {
        expect(await allocationKeys('node-k')).toEqual(ledgerBefore);
        expect(await recordPhases(node.stateDir)).toEqual(['ready']);
      },
      60_000,
      500,
    );
    expect(await podFootprint(node.netns)).toEqual(before);
    expect(before.length).toBeGreaterThan(0);
    expect(await cluster.ping(pods[2], [pods[0].ip])).toEqual({ [pods[0].ip]: true });
  });

  it('leaks no address, rule, route, veth or ifb after it restarts, when it died with the dataplane wired', async () => {
    const node = cluster.node('node-x');
    const before = await podFootprint(node.netns);
    const sandbox = await cluster.createPodNamespace({ name: 'half-done' });
    const bandwidth = { ingressRate: 8_000_000, ingressBurst: 80_000, egressRate: 8_000_000, egressBurst: 80_000 };
    const add = cluster.cni('node-x', 'ADD', sandbox, { cniVersion: '1.1.0', bandwidth });
    await eventually(
      async () => {
        const wired = await podFootprint(node.netns);
        expect(wired.some((item) => item.startsWith('ipl'))).toBe(true);
        expect(wired.some((item) => item.startsWith('ipb'))).toBe(true);
        expect(wired.some((item) => item.startsWith('rule 2048'))).toBe(true);
      },
      20_000,
      50,
    );
    // A shared-ENI pod's only record before `ready` is `allocating` (docs/node-agent.md, ADD).
    expect(await recordPhases(node.stateDir)).toEqual(['allocating']);
    await cluster.stopAgent('node-x', 'SIGKILL');
    expect((await add).json).toMatchObject({ code: 11 });

    await cluster.startAgent('node-x');
    await eventually(
      async () => {
        expect(await allocationKeys('node-x')).toEqual([]);
        expect(await recordPhases(node.stateDir)).toEqual([]);
      },
      60_000,
      500,
    );
    expect(await podFootprint(node.netns)).toEqual(before);
    const inPod = JSON.parse((await cluster.exec(sandbox.netns, ['ip', '-j', 'link', 'show'])).stdout) as {
      ifname: string;
    }[];
    expect(inPod.map((l) => l.ifname)).toEqual(['lo']);
  });
});

describe('a poison message on the node subject', () => {
  it('is terminated with a logged reason, and the consumer keeps going', async () => {
    const nc = await connect({ servers: running.nats.url });
    try {
      const js = jetstream(nc);
      await js.publish('ipledger.v1.node.node-r.IpReleaseRequested', 'not json at all');
      const malformed = {
        position: '999999',
        id: 'poison-1',
        streamId: 'node-node-r',
        streamVersion: 999_999,
        type: 'IpReleaseRequested',
        data: { node: 'node-r', ip: '10.0.2.99', pod: { namespace: 'x', name: 'y', uid: 'z' } },
        metadata: { actor: 'test' },
        recordedAt: new Date().toISOString(),
      };
      await js.publish('ipledger.v1.node.node-r.IpReleaseRequested', JSON.stringify(malformed));
      // A real event after the poison: the pod's allocation reaches the agent through the same consumer.
      const after = await cluster.addPod('node-r', { name: 'after-poison' });
      const jsm = await jetstreamManager(nc);
      await eventually(
        async () => {
          const info = await jsm.consumers.info('IPLEDGER', 'agent-node-r');
          expect(info.num_pending).toBe(0);
          expect(info.num_ack_pending).toBe(0);
          const allocated = await jsm.streams.getMessage('IPLEDGER', {
            last_by_subj: 'ipledger.v1.node.node-r.IpAllocated',
          });
          expect(info.ack_floor.stream_seq).toBeGreaterThanOrEqual(allocated?.seq ?? Number.POSITIVE_INFINITY);
        },
        30_000,
        250,
      );
      const log = cluster.agentLog('node-r');
      expect(log).toMatch(/poison message terminated.*undecodable/);
      expect(log).toMatch(/poison message terminated.*data\.containerId missing/);
      expect((await cluster.checkPod(after)).code).toBe(0);
    } finally {
      await nc.close();
    }
  });
});

async function recordPhases(stateDir: string): Promise<string[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const dir = `${stateDir}/pods`;
  const names = (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => n.endsWith('.json') && !n.startsWith('.'),
  );
  const phases: string[] = [];
  for (const name of names) {
    phases.push((JSON.parse(await readFile(`${dir}/${name}`, 'utf8')) as { phase: string }).phase);
  }
  return phases.sort();
}
