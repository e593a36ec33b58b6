// RegisterNode / ListNodes / DescribePool / ListAllocations requests → what the application ports take.
import { type NetworkMode } from '@ipledger/domain';
import type * as pb from '@ipledger/proto';
import { type RegisterNodeCommand } from '../ports/index.js';
import { checkPattern, checkSubdomain, RequestProblems, text } from './request-checks.js';

const MODES: readonly NetworkMode[] = ['eniip', 'eni', 'trunk', 'vpc'];
const INSTANCE_ID = /^i-[0-9a-z]+$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/;
const ZONE_ID = /^[a-z]{2}(-[a-z0-9]+)+$/;

export function toRegisterNodeCommand(request: pb.RegisterNodeRequest): RegisterNodeCommand {
  const problems = new RequestProblems();
  const command: RegisterNodeCommand = {
    node: checkSubdomain(problems, 'node', request.node),
    instanceId: checkPattern(problems, 'instance_id', request.instance_id, INSTANCE_ID, 'an ECS instance id (i-…)'),
    instanceType: checkPattern(
      problems,
      'instance_type',
      request.instance_type,
      INSTANCE_TYPE,
      'an instance type (e.g. ecs.g7.large)',
    ),
    zone: checkPattern(problems, 'zone', request.zone, ZONE_ID, 'a zone id (e.g. cn-hangzhou-i)'),
    mode: toMode(problems, request.mode),
  };
  problems.throwIfAny();
  return command;
}

function toMode(problems: RequestProblems, value: unknown): NetworkMode {
  const mode = text(value);
  if (mode === '') {
    return 'eniip';
  }
  if (!(MODES as readonly string[]).includes(mode)) {
    problems.add('mode', `must be one of ${MODES.join(', ')} (empty means eniip)`);
    return 'eniip';
  }
  return mode as NetworkMode;
}

/** The `node` of a request that names only a node (DescribePool, ListAllocations). */
export function toNodeName(request: { node?: string }): string {
  const problems = new RequestProblems();
  const node = checkSubdomain(problems, 'node', request.node);
  problems.throwIfAny();
  return node;
}
