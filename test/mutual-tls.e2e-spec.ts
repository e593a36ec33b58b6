// Mutual TLS end to end (docs/api.md, "Mutual TLS"): the allocator process requires client certificates of
// a throwaway CA made with openssl; node agents present their node's certificate (IPLEDGER_ALLOCATOR_TLS_*),
// the cluster's own client and the CLI an operator's. A pod is wired through the real plugin and agent; an
// agent holding another node's certificate refuses to start, the allocator refuses that certificate for
// another node, and an agent without certificates never gets past the handshake.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAllocatorClient, mutualTlsCredentials } from '@ipledger/proto';
import { type Pem, rpcFailureOf, TestPki } from '@ipledger/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCluster } from '../apps/devcluster/src/local-cluster.js';
import { distDir } from '../bench/support/allocator-process.js';
import { e2eCluster, eventually } from './support/e2e-cluster.js';

const run = promisify(execFile);

let pki: TestPki;
let ca: Pem;
const nodeCerts = new Map<string, Pem>();
let env: ReturnType<typeof e2eCluster> | undefined;
let cluster: LocalCluster;

/** The certificate of node `name` (CN node:<name>), made once. */
function nodeCert(name: string): Pem {
  let pem = nodeCerts.get(name);
  if (!pem) {
    pem = pki.issue(ca, `node-${name}`, `node:${name}`);
    nodeCerts.set(name, pem);
  }
  return pem;
}

beforeAll(async () => {
  pki = new TestPki();
  ca = pki.authority('ipledger-e2e-ca');
  const allocator = pki.issue(ca, 'allocator', 'allocator', 'DNS:localhost,IP:127.0.0.1');
  const operator = pki.issue(ca, 'operator', 'operator:e2e');
  env = e2eCluster('mutual_tls', {
    tls: { caFile: ca.certFile, allocator, operator, node: nodeCert },
    // Agents check the allocator's certificate against this name, as in a cluster (they dial an IP there).
    agentEnv: { IPLEDGER_REPAIR_INTERVAL: '2s', IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: 'localhost' },
  });
  ({ cluster } = await env.start());
  await cluster.addNode({ name: 'node-a' });
});

afterAll(async () => {
  await env?.stop();
  pki?.cleanup();
});

const registeredNodes = async () => (await cluster.allocator.listNodes()).nodes.map((n) => n.node).sort();

describe('an agent presenting its node certificate', () => {
  it('registered its node through the allocator’s mutual TLS', async () => {
    expect(await registeredNodes()).toEqual(['node-a']);
    expect(cluster.agentLog('node-a')).toContain('"allocatorTransport":"mutual TLS as node:node-a"');
  });

  it('allocates and releases a pod’s address through it', async () => {
    const pod = await cluster.addPod('node-a', { namespace: 'tls', name: 'web-0' });
    const allocation = await cluster.allocator.getAllocation({ ip: pod.ip });
    expect(allocation).toMatchObject({ node: 'node-a', container_id: pod.containerId });
    expect(allocation.pod).toMatchObject({ namespace: 'tls', name: 'web-0', uid: pod.uid });
    expect((await cluster.removePod(pod)).code).toBe(0);
    const held = await cluster.allocator.listAllocations({ node: 'node-a' });
    expect(held.allocations.map((a) => a.container_id)).not.toContain(pod.containerId);
  });
});

describe('an agent holding the certificate of another node', () => {
  it('refuses to start, naming the variable and both names (exit status 2)', async () => {
    const stolen = nodeCert('node-a');
    const node = await cluster.addNode({
      name: 'node-b',
      awaitReady: false,
      env: { IPLEDGER_ALLOCATOR_TLS_CERT: stolen.certFile, IPLEDGER_ALLOCATOR_TLS_KEY: stolen.keyFile },
    });
    expect(await node.agent.waitForExit()).toBe(2);
    expect(cluster.agentLog('node-b')).toContain(
      'ipledger-node-agent: IPLEDGER_ALLOCATOR_TLS_CERT: the certificate\'s subject CN is "node:node-a" but this ' +
        'agent is IPLEDGER_NODE_NAME "node-b": the allocator lets a node act only with a certificate whose CN is ' +
        '"node:node-b"',
    );
    expect(cluster.agentLog('node-b')).not.toContain(stolen.key.toString('utf8').split('\n')[1]);
    expect(await registeredNodes()).toEqual(['node-a']);
  });

  it('is refused by the allocator with PERMISSION_DENIED when it calls for that node anyway', async () => {
    const stolen = nodeCert('node-a');
    const client = createAllocatorClient(cluster.allocatorAddr, {
      credentials: mutualTlsCredentials({ ca: ca.cert, cert: stolen.cert, key: stolen.key }),
      defaultTimeoutMs: 5_000,
    });
    try {
      const node = cluster.node('node-b');
      const error = await rpcFailureOf(
        client.registerNode({
          node: 'node-b',
          instance_id: node.instanceId,
          instance_type: node.instanceType,
          zone: node.zone,
          mode: 'eniip',
        }),
      );
      expect(error.codeName).toBe('PERMISSION_DENIED');
      expect(error.details).toBe(`node: "node-b" is not this client's node (its certificate names "node-a")`);
    } finally {
      client.close();
    }
    expect(await registeredNodes()).toEqual(['node-a']);
  });
});

describe('an agent that cannot complete the handshake', () => {
  /** Waits until the agent's CNI STATUS names the failed registration; the agent keeps retrying. */
  async function refusedRegistration(node: string): Promise<void> {
    const status = await eventually(async () => {
      const outcome = await cluster.cni(node, 'STATUS', null, { cniVersion: '1.1.0' });
      expect(outcome.json).toMatchObject({ msg: 'node agent not ready for ADD' });
      expect((outcome.json as { details: string }).details).toMatch(
        /^node registration failed: .*RegisterNode: UNAVAILABLE/,
      );
      return outcome;
    }, 20_000);
    expect(status.code).not.toBe(0);
    expect(cluster.node(node).agent.running).toBe(true);
  }

  it('without certificates is refused (UNAVAILABLE) and never serves ADD', async () => {
    const noTls = { CERT: '', KEY: '', CA: '', SERVER_NAME: '' };
    const env = Object.fromEntries(Object.entries(noTls).map(([k, v]) => [`IPLEDGER_ALLOCATOR_TLS_${k}`, v]));
    await cluster.addNode({ name: 'node-c', awaitReady: false, env });
    await refusedRegistration('node-c');
    expect(cluster.agentLog('node-c')).toContain('"allocatorTransport":"plaintext"');
    expect(await registeredNodes()).toEqual(['node-a']);
  });

  it('does not trust an allocator whose certificate lacks IPLEDGER_ALLOCATOR_TLS_SERVER_NAME', async () => {
    const env = { IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: 'ipledger-allocator.elsewhere.test' };
    await cluster.addNode({ name: 'node-d', awaitReady: false, env });
    await refusedRegistration('node-d');
    expect(await registeredNodes()).toEqual(['node-a']);
  });
});

describe('the ipledger CLI', () => {
  const cli = async (tlsEnv: Record<string, string>, ...args: string[]) => {
    const main = join(distDir(), 'apps/ctl/src/main.js');
    try {
      const { stdout, stderr } = await run(process.execPath, [main, '--allocator', cluster.allocatorAddr, ...args], {
        env: { PATH: process.env.PATH, ...tlsEnv },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };
  const tlsEnv = (pem: Pem) => ({
    IPLEDGER_ALLOCATOR_TLS_CERT: pem.certFile,
    IPLEDGER_ALLOCATOR_TLS_KEY: pem.keyFile,
    IPLEDGER_ALLOCATOR_TLS_CA: ca.certFile,
  });

  it('reads the ledger with an operator certificate from the environment', async () => {
    // The allocator's certificate names localhost too: checked against that name, the CLI sends it as SNI
    // and Node has no IP address to warn about (DEP0123).
    const operator = pki.issue(ca, 'cli-operator', 'operator:cli');
    const outcome = await cli({ ...tlsEnv(operator), IPLEDGER_ALLOCATOR_TLS_SERVER_NAME: 'localhost' }, 'nodes');
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout).toMatch(/^node-a\s+i-/m);
  });

  it('is refused operator reads with a node certificate, and the handshake without one', async () => {
    const asNode = await cli(tlsEnv(nodeCert('node-a')), 'nodes');
    expect(asNode.code).toBe(1);
    expect(asNode.stderr).toMatch(/^ipledger: ListNodes failed: PERMISSION_DENIED: ListNodes is for operators/m);
    const plaintext = await cli({}, 'nodes', '--timeout', '2s');
    expect(plaintext.code).toBe(1);
    expect(plaintext.stderr).toMatch(/^ipledger: ListNodes failed: UNAVAILABLE/m);
  });
});
