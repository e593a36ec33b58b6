import { describe, expect, it } from 'vitest';
import { connectAllocator } from './allocator-connection.js';
import { type GlobalOptions } from './cli-args.js';

const options = (sources: Record<'cert' | 'key' | 'ca', string>): GlobalOptions => ({
  allocator: '127.0.0.1:50051',
  tls: { cert: '/pki/op.crt', key: '/pki/op.key', ca: '/pki/ca.crt', serverName: null, sources },
  json: false,
  timeoutMs: 1_000,
});

const unreadable = (missing: string) => (path: string) => {
  if (path === missing) {
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
  }
  return Buffer.from('pem');
};

describe('connectAllocator', () => {
  it('names the flag or variable of a TLS file it cannot read', () => {
    const fromFlags = options({ cert: '--cert', key: '--key', ca: '--ca' });
    expect(() => connectAllocator(fromFlags, unreadable('/pki/op.key'))).toThrow(
      'cannot read --key /pki/op.key: ENOENT',
    );
    const fromEnv = options({
      cert: 'IPLEDGER_ALLOCATOR_TLS_CERT',
      key: 'IPLEDGER_ALLOCATOR_TLS_KEY',
      ca: 'IPLEDGER_ALLOCATOR_TLS_CA',
    });
    expect(() => connectAllocator(fromEnv, unreadable('/pki/ca.crt'))).toThrow(
      'cannot read IPLEDGER_ALLOCATOR_TLS_CA /pki/ca.crt: ENOENT',
    );
  });
});
