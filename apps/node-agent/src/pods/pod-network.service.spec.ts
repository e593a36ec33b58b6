import { status } from '@grpc/grpc-js';
import { DomainError } from '@ipledger/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EniDirectory } from '../allocator/eni-directory.js';
import {
  type ExclusiveEniPodSpec,
  type ExclusiveEniTeardownSpec,
  type PodTeardownSpec,
  type PolicyRoutePodSpec,
} from '../dataplane/index.js';
import { silentLogger } from '../logging/json-logger.js';
import { PodRecordStore } from '../state/pod-record.store.js';
import { ENI, FakeAllocator, FakeDataplane, NODE, fakeKernel, rpcError, tempStateDir } from '../testing/agent-fakes.js';
import { ContainerLocks } from './container-locks.js';
import { NodeAddresses } from './node-addresses.js';
import { PodDataplanes } from './pod-dataplanes.js';
import { PodNetworkService } from './pod-network.service.js';

const POD = { namespace: 'default', name: 'web-0', uid: 'uid-1' };
const NETNS = '/var/run/netns/pod-1';

interface World {
  service: PodNetworkService;
  allocator: FakeAllocator;
  policyRoute: FakeDataplane<PolicyRoutePodSpec, PodTeardownSpec>;
  exclusive: FakeDataplane<ExclusiveEniPodSpec, ExclusiveEniTeardownSpec>;
  records: PodRecordStore;
  log: string[];
}

let state: ReturnType<typeof tempStateDir>;
beforeEach(() => {
  state = tempStateDir();
});
afterEach(() => state.remove());

async function world(mode: 'eniip' | 'eni' = 'eniip', netns = new Set([NETNS])): Promise<World> {
  const log: string[] = [];
  const allocator = new FakeAllocator(mode);
  const origRelease = allocator.releaseIp.bind(allocator);
  allocator.releaseIp = async (request) => {
    log.push(`release ${request.container_id} ${request.reason}`);
    return origRelease(request);
  };
  const policyRoute = new FakeDataplane<PolicyRoutePodSpec, PodTeardownSpec>(log);
  const exclusive = new FakeDataplane<ExclusiveEniPodSpec, ExclusiveEniTeardownSpec>(log);
  const kernel = fakeKernel(netns);
  const records = new PodRecordStore(state.dir);
  await records.init();
  const service = new PodNetworkService({
    node: NODE,
    allocator,
    enis: new EniDirectory(allocator, NODE, 1000),
    dataplanes: new PodDataplanes(policyRoute, exclusive, new NodeAddresses(kernel)),
    records,
    locks: new ContainerLocks(),
    kernel,
    serviceCidr: null,
    allocatorTimeoutMs: 1000,
    logger: silentLogger,
    nodeMode: mode,
  });
  return { service, allocator, policyRoute, exclusive, records, log };
}

const add = { containerId: 'c1', netns: NETNS, ifName: 'eth0', pod: POD };

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) {
    throw new Error(`expected a DomainError, got ${String(error)}`);
  }
  return error;
}

describe('PodNetworkService ADD', () => {
  it('allocates, sets up the shared-ENI dataplane with the ENI from the ledger, and records the pod ready', async () => {
    const w = await world();
    const result = await w.service.add({ ...add, bandwidth: { egressRate: 10_000_000 } });
    expect(w.allocator.calls[0]).toEqual({
      rpc: 'AllocateIp',
      request: { node: NODE, pod: POD, container_id: 'c1', idempotency_key: 'uid-1/c1' },
    });
    expect(w.policyRoute.setups).toEqual([
      {
        containerId: 'c1',
        netns: NETNS,
        ifName: 'eth0',
        ip: '10.0.2.11',
        eni: { mac: ENI.mac, gateway: ENI.gateway, vswitchCidr: ENI.vswitch_cidr, primaryIp: ENI.primary_ip },
        bandwidth: { egressRate: 10_000_000 },
        mtu: undefined,
      },
    ]);
    expect(result.ips).toEqual([{ address: '10.0.2.11/32' }]);
    expect(await w.records.get('c1')).toMatchObject({ phase: 'ready', ip: '10.0.2.11', mode: 'eniip' });
  });

  it('gives an exclusive-ENI pod the Service CIDR and the node addresses', async () => {
    const w = await world('eni');
    await w.service.add(add);
    expect(w.exclusive.setups[0]).toMatchObject({
      ip: ENI.primary_ip,
      serviceCidr: '172.21.0.0/20',
      nodeIps: ['10.0.1.5'],
    });
    expect(w.policyRoute.setups).toEqual([]);
  });

  it('refuses an unknown CNI_NETNS before allocating anything', async () => {
    const w = await world('eniip', new Set());
    const error = await failure(w.service.add(add));
    expect(error.code).toBe('invalid-argument');
    expect(error.details.field).toBe('netns');
    expect(error.message).toContain(NETNS);
    expect(w.allocator.calls).toEqual([]);
    expect((await w.records.list()).records).toEqual([]);
  });

  it('rolls back the dataplane and the allocation when setup fails', async () => {
    const w = await world();
    w.policyRoute.setupFailure = new DomainError('failed-precondition', 'ip: RTNETLINK answers: boom');
    const error = await failure(w.service.add(add));
    expect(error.message).toContain('boom');
    expect(w.log).toEqual(['links c1', 'setup c1', 'teardown c1', 'release c1 cni-add-failed']);
    expect(w.allocator.allocations.size).toBe(0);
    expect(await w.records.get('c1')).toBeNull();
  });

  it('answers "try again" when the allocator is unreachable, with nothing set up', async () => {
    const w = await world();
    w.allocator.failures.set('AllocateIp', rpcError('AllocateIp', status.UNAVAILABLE, 'connect ECONNREFUSED'));
    w.allocator.failures.set('ReleaseIp', rpcError('ReleaseIp', status.UNAVAILABLE, 'connect ECONNREFUSED'));
    const error = await failure(w.service.add(add));
    expect(error.code).toBe('unavailable');
    expect(w.policyRoute.setups).toEqual([]);
    // The links built while AllocateIp was in flight are gone again.
    expect(w.log).toEqual(['links c1', 'remove-links c1', 'release c1 cni-add-failed']);
    // The allocator may have handed out an address before the connection broke: the record stays for repair.
    expect(await w.records.get('c1')).toMatchObject({ phase: 'releasing' });
  });

  it('forgets the pod when the allocator refuses for good', async () => {
    const w = await world();
    w.allocator.failures.set('AllocateIp', rpcError('AllocateIp', status.RESOURCE_EXHAUSTED, 'no idle ip'));
    const error = await failure(w.service.add(add));
    expect(error.code).toBe('resource-exhausted');
    expect(w.allocator.rpcs()).toEqual(['AllocateIp']);
    expect(await w.records.get('c1')).toBeNull();
  });
});

describe('PodNetworkService DEL', () => {
  it('makes the address unusable before releasing it, and deletes the devices after answering', async () => {
    const w = await world();
    await w.service.add(add);
    await w.service.del({ containerId: 'c1', netns: NETNS, ifName: 'eth0', pod: POD });
    expect(w.log.slice(2)).toEqual(['isolate c1', 'release c1 cni-del']);
    await w.service.settled();
    expect(w.log.slice(4)).toEqual(['remove-links c1']);
    expect(await w.records.get('c1')).toBeNull();
  });

  it('tears an exclusive-ENI pod down completely before releasing its address', async () => {
    const w = await world('eni');
    await w.service.add(add);
    await w.service.del({ containerId: 'c1', netns: NETNS, ifName: 'eth0', pod: POD });
    expect(w.log).toEqual(['setup c1', 'teardown c1', 'release c1 cni-del']);
    expect(await w.records.get('c1')).toBeNull();
  });

  it('finishes a released pod left by a crash: devices only, no second release', async () => {
    const w = await world();
    await w.service.add(add);
    const record = await w.records.get('c1');
    await w.records.put({ ...record!, phase: 'released' });
    await w.service.removeLocked((await w.records.get('c1'))!, 'agent-repair', true);
    expect(w.log.slice(2)).toEqual(['remove-links c1']);
    expect(await w.records.get('c1')).toBeNull();
  });

  it('succeeds for a pod never seen, touching only what naming says could be its', async () => {
    const w = await world();
    await w.service.del({ containerId: 'ghost', netns: '', ifName: 'eth0' });
    expect(w.policyRoute.teardowns).toEqual([{ containerId: 'ghost', netns: undefined, ip: undefined }]);
    expect(w.allocator.calls).toEqual([]);
  });

  it('keeps the record for the repair loop when the release cannot be confirmed now', async () => {
    const w = await world();
    await w.service.add(add);
    w.allocator.failures.set('ReleaseIp', rpcError('ReleaseIp', status.UNAVAILABLE));
    await w.service.del({ containerId: 'c1', netns: NETNS, ifName: 'eth0', pod: POD });
    await w.service.settled();
    // Released neither confirmed nor devices deleted: the repair loop does both.
    expect(w.log.slice(2)).toEqual(['isolate c1', 'release c1 cni-del']);
    expect(await w.records.get('c1')).toMatchObject({ phase: 'releasing' });
  });
});

describe('PodNetworkService CHECK', () => {
  it('passes when the ledger and the dataplane agree', async () => {
    const w = await world();
    await w.service.add(add);
    await w.service.check(add);
    expect(w.policyRoute.checks).toHaveLength(1);
  });

  it('names what the dataplane found missing', async () => {
    const w = await world();
    await w.service.add(add);
    w.policyRoute.problems = [{ code: 'pod-route', detail: 'no route default via 169.254.1.1 dev eth0 in table 254' }];
    const error = await failure(w.service.check(add));
    expect(error.code).toBe('illegal-state');
    expect(error.message).toContain('pod-route: no route default via 169.254.1.1');
  });

  it('fails when the ledger no longer holds the pod', async () => {
    const w = await world();
    await w.service.add(add);
    w.allocator.allocations.clear();
    const error = await failure(w.service.check(add));
    expect(error.message).toContain('the ledger holds no address for pod default/web-0');
  });

  it('reports an unknown container as not found', async () => {
    const w = await world();
    expect((await failure(w.service.check(add))).code).toBe('not-found');
  });
});
