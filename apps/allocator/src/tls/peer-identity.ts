// Who is calling, from the client certificate of a mutual-TLS connection. The certificate's subject Common
// Name carries the identity: `node:<node name>` for a node agent, `operator:<name>` for people and tools
// (docs/api.md). The CA that signs these certificates is the trust anchor; nothing else is consulted.
import { type PeerCertificate } from 'node:tls';
import { AccessDeniedError } from './access-denied.error.js';

export type PeerIdentity = { kind: 'node'; name: string } | { kind: 'operator'; name: string } | { kind: 'anonymous' };

const NODE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** The identity a Common Name states, or null when it states none ipledger knows. */
export function identityFromCommonName(commonName: string | undefined): PeerIdentity | null {
  const match = /^(node|operator):(.+)$/.exec(commonName ?? '');
  if (!match) {
    return null;
  }
  const [, kind, name] = match;
  if (kind === 'node') {
    return NODE_NAME.test(name) ? { kind: 'node', name } : null;
  }
  return OPERATOR_NAME.test(name) ? { kind: 'operator', name } : null;
}

/** The identity of a call on a mutual-TLS endpoint; throws AccessDeniedError('unauthenticated') without one. */
/** What grpc-js calls expose of their connection's TLS state. */
export interface CallWithAuthContext {
  getAuthContext?: () => { sslPeerCertificate?: PeerCertificate } | null;
}

export function peerIdentityOf(call: CallWithAuthContext | undefined): PeerIdentity {
  const certificate = call?.getAuthContext?.()?.sslPeerCertificate;
  if (!certificate) {
    throw new AccessDeniedError('unauthenticated', 'a client certificate is required');
  }
  const commonName = Array.isArray(certificate.subject?.CN) ? certificate.subject.CN[0] : certificate.subject?.CN;
  const identity = identityFromCommonName(commonName);
  if (!identity) {
    throw new AccessDeniedError(
      'unauthenticated',
      `client certificate CN "${commonName ?? ''}" is neither node:<node name> nor operator:<name>`,
    );
  }
  return identity;
}

/** The actor recorded in event metadata for calls of this identity. */
export function actorOf(identity: PeerIdentity): string {
  return identity.kind === 'anonymous' ? 'anonymous' : `${identity.kind}/${identity.name}`;
}
