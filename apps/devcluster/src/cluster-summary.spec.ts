import { type NodeView } from '@ipledger/proto';
import { describe, expect, it } from 'vitest';
import { API_NAMES, type CallCountsByApi } from '../../ecs-sim/src/index.js';
import { poolTotals, renderSummary } from './cluster-summary.js';

function node(name: string, pool: { idle: number; allocated: number; cooling: number; releasing: number }): NodeView {
  const eni = {
    id: `eni-${name}`,
    mac: '00:16:3e:00:00:01',
    vswitch_id: 'vsw-devhpods',
    vswitch_cidr: '10.0.1.0/24',
    gateway: '10.0.1.253',
    primary_ip: '10.0.1.1',
    status: 'InUse',
    ips: ['10.0.1.1', '10.0.1.2'],
    device_index: 1,
    trunk: false,
  };
  return {
    node: name,
    instance_id: `i-${name}`,
    instance_type: 'ecs.g7.large',
    zone: 'cn-hangzhou-h',
    mode: 'eniip',
    limits: {
      adapters: 3,
      ipv4_per_adapter: 6,
      ipv6_per_adapter: 6,
      total_adapters: 3,
      member_adapters: 0,
      trunk_supported: false,
    },
    max_pods: 12,
    enis: [eni],
    pool: { node: name, ...pool, enis: [eni], targets: { min_pool_size: 2, max_pool_size: 8 }, max_pods: 12 },
    registered_at: '2026-11-21T07:00:00Z',
  };
}

function calls(): CallCountsByApi {
  const counts = Object.fromEntries(
    API_NAMES.map((api) => [api, { calls: 0, accepted: 0, throttled: 0, faulted: 0, failed: 0, succeeded: 0 }]),
  ) as CallCountsByApi;
  counts.CreateNetworkInterface = { calls: 3, accepted: 3, throttled: 0, faulted: 0, failed: 0, succeeded: 3 };
  return counts;
}

const nodes = [
  node('dev-node-1', { idle: 3, allocated: 2, cooling: 1, releasing: 1 }),
  node('dev-node-2', { idle: 1, allocated: 4, cooling: 0, releasing: 0 }),
];
const pods = [
  { name: 'default/web-1', node: 'dev-node-1', ip: '10.0.1.2', eni: 'eni-dev-node-1' },
  { name: 'default/api-1', node: 'dev-node-2', ip: '10.0.1.9', eni: 'eni-dev-node-2' },
];

describe('renderSummary', () => {
  const text = renderSummary({
    title: 'dev',
    nodes,
    calls: calls(),
    pods: { started: 3, addressed: 3, failed: 0, released: 1, running: pods },
    latency: '\nPod start latency: p50 2 ms\n',
    ping: {
      pods,
      reachable: [
        [false, true],
        [false, false],
      ],
    },
  });

  it('counts cooling and releasing addresses as cooling', () => {
    expect(poolTotals(nodes)).toEqual({ idle: 4, allocated: 6, cooling: 2 });
    expect(text).toContain('IPs: 4 idle, 6 allocated, 2 cooling; 2 pod ENIs');
  });

  it('lists only the cloud APIs that were called', () => {
    expect(text).toContain('Cloud calls answered by ecs-sim (3 in all)');
    expect(text).toMatch(/^CreateNetworkInterface\s+3\s+3\s+0\s+0\s+0$/m);
    expect(text).not.toContain('DeleteNetworkInterface');
  });

  it('tallies pods and lists the running ones', () => {
    expect(text).toContain('Pods: 3 started, 3 got an address, 0 failed, 1 released, 2 running');
    expect(text).toMatch(/^default\/api-1\s+dev-node-2\s+10\.0\.1\.9\s+eni-dev-node-2$/m);
  });

  it('draws who reached whom, the diagonal left out', () => {
    expect(text).toContain('(1 of 2 answered)');
    expect(text).toMatch(/^default\/web-1 \(dev-node-1\)\s+·\s+ok$/m);
    expect(text).toMatch(/^default\/api-1 \(dev-node-2\)\s+NO\s+·$/m);
  });
});
