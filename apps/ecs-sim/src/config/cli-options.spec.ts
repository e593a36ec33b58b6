import { describe, expect, it } from 'vitest';
import { DEFAULT_CLI_PORT, parseCli } from './cli-options.js';

describe('parseCli', () => {
  it('turns flags into options', () => {
    const { options } = parseCli(
      [
        '--port=0',
        '--attach-delay-ms=5',
        '--throttle=CreateNetworkInterface=10,DescribeNetworkInterfaces=0',
        '--fault-rate=0.1',
        '--fault-codes=Throttling.User,InternalError',
        '--vswitch=vsw-a:zone-a:10.1.0.0/24',
        '--instance=i-a:ecs.g7.xlarge:vsw-a:node-a',
      ],
      {},
    );
    expect(options.port).toBe(0);
    expect(options.config).toMatchObject({
      attachDelayMs: 5,
      throttleLimits: { CreateNetworkInterface: 10, DescribeNetworkInterfaces: 0 },
    });
    expect(options.faults?.rules).toEqual([{ rate: 0.1, codes: ['Throttling.User', 'InternalError'] }]);
    expect(options.vswitches).toEqual([{ id: 'vsw-a', zoneId: 'zone-a', cidr: '10.1.0.0/24' }]);
    expect(options.instances).toEqual([
      { instanceId: 'i-a', instanceType: 'ecs.g7.xlarge', vswitchId: 'vsw-a', netns: 'node-a' },
    ]);
  });

  it('reads ECS_SIM_* environment variables when a flag is absent', () => {
    const { options } = parseCli(['--seed=3'], { ECS_SIM_PORT: '19000', ECS_SIM_SEED: '9', ECS_SIM_LATENCY_MS: '2' });
    expect(options.port).toBe(19000);
    expect(options.seed).toBe(3);
    expect(options.config?.latencyMs).toBe(2);
  });

  it('chooses the VPC fabric', () => {
    expect(parseCli([], {}).fabric).toEqual({ kind: 'noop' });
    expect(parseCli(['--fabric=netns', '--vpc-netns=ipl-vpc-dev'], {}).fabric).toEqual({
      kind: 'netns',
      netns: 'ipl-vpc-dev',
    });
    expect(() => parseCli(['--fabric=ovs'], {})).toThrow(/noop or netns/);
  });

  it('defaults the port and rejects unknown APIs', () => {
    expect(parseCli([], {}).options.port).toBe(DEFAULT_CLI_PORT);
    expect(() => parseCli(['--throttle=CreateThing=1'], {})).toThrow(/unknown API/);
  });
});
