import { CLUSTER_STREAM, invalidArgument } from '@ipledger/domain';

export const DEFAULT_STREAM_NAME = 'IPLEDGER';
export const DEFAULT_SUBJECT_PREFIX = 'ipledger.v1';

// NATS splits subjects into tokens at '.', and '*' and '>' are wildcards. Kubernetes node names are DNS
// subdomains: they may hold dots but never '_', so '.' → '_' is a reversible encoding for them.
const FORBIDDEN = /[\s*>]/;

/** The subject token of a node name: dots become underscores. */
export function nodeSubjectToken(node: string): string {
  if (!node || FORBIDDEN.test(node) || node.includes('_')) {
    throw invalidArgument('node', `cannot be a subject token: ${JSON.stringify(node)}`);
  }
  return node.replaceAll('.', '_');
}

export function nodeFromSubjectToken(token: string): string {
  return token.replaceAll('_', '.');
}

/** Every event of one node, e.g. for its agent's durable consumer. */
export function nodeSubjectFilter(node: string, prefix = DEFAULT_SUBJECT_PREFIX): string {
  return `${prefix}.node.${nodeSubjectToken(node)}.>`;
}

export interface SubjectSource {
  streamId: string;
  type: string;
  data: unknown;
}

/**
 * Where an event is published: node events (those with `data.node`) under `node.<node>`, so each agent
 * filters on its own node; vSwitch and cluster streams under their own names; anything else under
 * `stream.<stream id>`.
 */
export function subjectForEvent(event: SubjectSource, prefix = DEFAULT_SUBJECT_PREFIX): string {
  const type = plainToken(event.type, 'type');
  const node = (event.data as { node?: unknown } | null)?.node;
  if (typeof node === 'string') {
    return `${prefix}.node.${nodeSubjectToken(node)}.${type}`;
  }
  if (event.streamId === CLUSTER_STREAM) {
    return `${prefix}.cluster.${type}`;
  }
  if (event.streamId.startsWith('vswitch-')) {
    return `${prefix}.vswitch.${plainToken(event.streamId.slice('vswitch-'.length), 'vswitch')}.${type}`;
  }
  return `${prefix}.stream.${plainToken(event.streamId, 'streamId')}.${type}`;
}

function plainToken(value: string, field: string): string {
  if (!value || FORBIDDEN.test(value)) {
    throw invalidArgument(field, `cannot be a subject token: ${JSON.stringify(value)}`);
  }
  return value.replaceAll('.', '_');
}
