// NodeEnis against fakes of our own ports: the allocator's DescribePool (through the real EniDirectory) and
// the ENI preparer; the kernel is never reached by these paths.
import { DomainError } from '@ipledger/domain';
import { type EniView } from '@ipledger/proto';
import { describe, expect, it } from 'vitest';
import { EniDirectory } from '../allocator/eni-directory.js';
import { type EniPreparer, type EniSpec } from '../dataplane/index.js';
import { type KernelPort } from '../kernel/index.js';
import { silentLogger } from '../logging/json-logger.js';
import { NodeEnis } from './node-enis.service.js';

const eni = (id: string, mac: string): EniView => ({
  ...{ id, mac, vswitch_id: 'vsw-1', vswitch_cidr: '10.0.1.0/24', gateway: '10.0.1.253' },
  ...{ primary_ip: '10.0.1.7', status: 'InUse', ips: [], device_index: 1, trunk: false },
});

function setup(options: { nicMissing?: boolean } = {}) {
  const ledger: EniView[] = [eni('eni-1', '00:16:3e:00:00:01')];
  let describes = 0;
  const prepared: EniSpec[] = [];
  const directory = new EniDirectory(
    {
      describePool: () => {
        describes += 1;
        return Promise.resolve({ enis: [...ledger] } as unknown as Awaited<
          ReturnType<ConstructorParameters<typeof EniDirectory>[0]['describePool']>
        >);
      },
    },
    'node-a',
    1_000,
  );
  const preparer = {
    prepare: (spec: EniSpec) => {
      if (options.nicMissing) {
        return Promise.reject(new DomainError('not-found', `no NIC with the MAC of ENI ${spec.mac} on this node`));
      }
      prepared.push(spec);
      return Promise.resolve({ table: 1002, nic: 'eth1' });
    },
  } as unknown as EniPreparer;
  const enis = new NodeEnis({} as KernelPort, preparer, directory, 'eniip', silentLogger);
  return { enis, ledger, prepared, describes: () => describes };
}

describe('NodeEnis', () => {
  it('looks an ENI up while it attaches, so preparing it asks the allocator nothing more', async () => {
    const t = setup();
    t.enis.lookAhead('eni-1');
    await expect.poll(() => t.describes()).toBe(1);
    expect(await t.enis.prepare('eni-1')).toBe('prepared');
    expect(t.describes()).toBe(1);
    expect(t.prepared).toEqual([
      { mac: '00:16:3e:00:00:01', gateway: '10.0.1.253', vswitchCidr: '10.0.1.0/24', primaryIp: '10.0.1.7' },
    ]);
  });

  it('asks the allocator for an ENI it has not seen, and skips one the ledger does not place here', async () => {
    const t = setup();
    expect(await t.enis.prepare('eni-1')).toBe('prepared');
    expect(await t.enis.prepare('eni-gone')).toBe('not-in-ledger');
    expect(t.describes()).toBe(2);
  });

  it('with no NIC to be seen, keeps the not-found for a retry while the ledger still places the ENI here', async () => {
    const t = setup({ nicMissing: true });
    await expect(t.enis.prepare('eni-1')).rejects.toMatchObject({ code: 'not-found' });
    // The ENI left the node before the event was applied: nothing to prepare, and no retry loop.
    t.ledger.length = 0;
    expect(await t.enis.prepare('eni-1')).toBe('not-in-ledger');
  });
});
