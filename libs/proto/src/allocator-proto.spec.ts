import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ALLOCATOR_PROTO_PATH, loadAllocatorPackageDefinition } from './allocator-proto.js';
import { AllocatorRpcError } from './allocator-rpc.error.js';
import { ALLOCATOR_RPCS } from './allocator.messages.js';

describe('allocator.proto', () => {
  it('is found next to the sources', () => {
    expect(existsSync(ALLOCATOR_PROTO_PATH)).toBe(true);
  });

  it('defines exactly the RPCs the TypeScript side knows, with snake_case fields kept', () => {
    const definition = loadAllocatorPackageDefinition();
    const service = definition['ipledger.v1.Allocator'] as grpc.ServiceDefinition;
    expect(Object.keys(service).sort()).toEqual([...ALLOCATOR_RPCS].sort());
    expect(service.History.responseStream).toBe(true);
    const request = service.AllocateIp.requestDeserialize(
      service.AllocateIp.requestSerialize({ node: 'n1', container_id: 'c1', pod: { uid: 'u' } }),
    );
    expect(request).toMatchObject({ node: 'n1', container_id: 'c1', pod: { uid: 'u', name: '' }, owner: null });
  });

  it('decodes int64 positions as decimal strings', () => {
    const service = loadAllocatorPackageDefinition()['ipledger.v1.Allocator'] as grpc.ServiceDefinition;
    const entry = service.History.responseDeserialize(
      service.History.responseSerialize({ position: '9007199254740993', type: 'IpAllocated' }),
    );
    expect(entry).toMatchObject({ position: '9007199254740993', type: 'IpAllocated', data_json: '' });
  });
});

describe('AllocatorRpcError', () => {
  it('carries the status name, reason and field from the trailing metadata', () => {
    const metadata = new grpc.Metadata();
    metadata.set('ipledger-reason', 'pool-empty');
    const error = AllocatorRpcError.from(
      'AllocateIp',
      Object.assign(new Error('x'), { code: grpc.status.RESOURCE_EXHAUSTED, details: 'no IP now', metadata }),
    ) as AllocatorRpcError;
    expect(error).toBeInstanceOf(AllocatorRpcError);
    expect(error.message).toBe('AllocateIp: RESOURCE_EXHAUSTED: no IP now');
    expect([error.codeName, error.reason, error.field]).toEqual(['RESOURCE_EXHAUSTED', 'pool-empty', null]);
  });

  it('passes other errors through', () => {
    const plain = new Error('socket closed');
    expect(AllocatorRpcError.from('ListNodes', plain)).toBe(plain);
  });
});
