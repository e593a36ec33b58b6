import { describe, expect, it } from 'vitest';
import { AccessDeniedError } from './access-denied.error.js';
import { authorizeCall } from './node-access.policy.js';
import { actorOf, identityFromCommonName, peerIdentityOf, type PeerIdentity } from './peer-identity.js';

describe('identityFromCommonName', () => {
  it.each([
    ['node:node-a', { kind: 'node', name: 'node-a' }],
    ['node:cn-hangzhou.192.168.0.10', { kind: 'node', name: 'cn-hangzhou.192.168.0.10' }],
    ['operator:alice@example.com', { kind: 'operator', name: 'alice@example.com' }],
  ])('reads %s', (cn, identity) => {
    expect(identityFromCommonName(cn)).toEqual(identity);
  });

  it.each(['node-a', 'node:', 'node:Node_A', 'admin:root', 'operator:has space', '', undefined])(
    'recognises no identity in %j',
    (cn) => {
      expect(identityFromCommonName(cn)).toBeNull();
    },
  );
});

describe('peerIdentityOf', () => {
  const callWith = (subject: Record<string, unknown> | null) => ({
    getAuthContext: () => (subject ? { sslPeerCertificate: { subject } as never } : {}),
  });

  it('reads the CN of the peer certificate', () => {
    expect(peerIdentityOf(callWith({ CN: 'node:n1', O: 'x' }))).toEqual({ kind: 'node', name: 'n1' });
  });

  it('is unauthenticated without a certificate or with an unknown CN', () => {
    expect(() => peerIdentityOf(callWith(null))).toThrow(
      new AccessDeniedError('unauthenticated', 'a client certificate is required'),
    );
    expect(() => peerIdentityOf(callWith({ CN: 'intruder' }))).toThrow(AccessDeniedError);
    expect(() => peerIdentityOf(undefined)).toThrow(AccessDeniedError);
  });
});

describe('actorOf', () => {
  it('names the actor for event metadata', () => {
    expect(actorOf({ kind: 'node', name: 'n1' })).toBe('node/n1');
    expect(actorOf({ kind: 'operator', name: 'alice' })).toBe('operator/alice');
    expect(actorOf({ kind: 'anonymous' })).toBe('anonymous');
  });
});

describe('authorizeCall', () => {
  const node: PeerIdentity = { kind: 'node', name: 'n1' };
  const denied = (identity: PeerIdentity, rpc: string, request: unknown): string | null => {
    try {
      authorizeCall(identity, rpc, request);
      return null;
    } catch (error) {
      expect((error as AccessDeniedError).kind).toBe('permission-denied');
      return (error as Error).message;
    }
  };

  it.each(['RegisterNode', 'AllocateIp', 'ReleaseIp', 'ListAllocations', 'DescribePool'])(
    'lets a node call %s for itself only',
    (rpc) => {
      expect(denied(node, rpc, { node: 'n1' })).toBeNull();
      expect(denied(node, rpc, { node: 'n2' })).toBe(
        'node: "n2" is not this client\'s node (its certificate names "n1")',
      );
      expect(denied(node, rpc, {})).toBe('node: "" is not this client\'s node (its certificate names "n1")');
    },
  );

  it.each(['GetAllocation', 'History', 'ListNodes'])('keeps %s for operators', (rpc) => {
    expect(denied(node, rpc, { node: 'n1' })).toMatch(new RegExp(`^${rpc} is for operators`));
    expect(denied({ kind: 'operator', name: 'alice' }, rpc, {})).toBeNull();
  });
});
