import { describe, expect, it } from 'vitest';
import { toCloudEni, toCloudVSwitch, toInstanceTypeLimits } from './ecs-model.mapper.js';
import { vswitchGateway } from './vswitch-gateway.js';

describe('vswitchGateway', () => {
  it('is the first of the three reserved addresses at the top of the CIDR', () => {
    expect(vswitchGateway('192.168.1.0/24')).toBe('192.168.1.253');
    expect(vswitchGateway('172.24.0.0/18')).toBe('172.24.63.253');
    expect(vswitchGateway('10.0.255.240/28')).toBe('10.0.255.253');
  });
});

describe('ECS model mapping', () => {
  it('maps a described ENI, primary address first', () => {
    const eni = toCloudEni({
      networkInterfaceId: 'eni-1',
      status: 'InUse',
      type: 'Secondary',
      privateIpAddress: '10.0.1.5',
      privateIpSets: {
        privateIpSet: [{ privateIpAddress: '10.0.1.9' }, { privateIpAddress: '10.0.1.5', primary: true }],
      },
      instanceId: 'i-1',
      attachment: { deviceIndex: 2, instanceId: 'i-1', trunkNetworkInterfaceId: '' },
      tags: { tag: [{ tagKey: 'ipledger.io/cluster', tagValue: 'c1' }] },
    });
    expect(eni).toMatchObject({
      id: 'eni-1',
      status: 'InUse',
      primaryIp: '10.0.1.5',
      privateIps: ['10.0.1.5', '10.0.1.9'],
      instanceId: 'i-1',
      deviceIndex: 2,
      trunkEniId: null,
      tags: { 'ipledger.io/cluster': 'c1' },
    });
  });

  it('treats an empty instance id as detached', () => {
    expect(toCloudEni({ networkInterfaceId: 'eni-2', status: 'Available', instanceId: '' })).toMatchObject({
      instanceId: null,
      deviceIndex: null,
    });
  });

  it('maps limits and vSwitches', () => {
    expect(
      toInstanceTypeLimits({ instanceTypeId: 'ecs.g6.large', eniQuantity: 2, eniPrivateIpAddressQuantity: 6 }),
    ).toEqual({
      instanceType: 'ecs.g6.large',
      eniQuantity: 2,
      eniPrivateIpAddressQuantity: 6,
      eniIpv6AddressQuantity: 0,
      eniTotalQuantity: 2,
      eniTrunkSupported: false,
    });
    expect(toCloudVSwitch({ vSwitchId: 'vsw-1', cidrBlock: '10.0.3.0/24', availableIpAddressCount: 7 })).toMatchObject({
      gateway: '10.0.3.253',
      availableIpCount: 7,
    });
  });
});
