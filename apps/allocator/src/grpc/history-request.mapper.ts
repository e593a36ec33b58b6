// History requests → the HistoryService port's query: exactly one subject, optional time bounds.
import type * as pb from '@ipledger/proto';
import { type HistoryQuery, type HistorySubject } from '../ports/index.js';
import { checkPodSelector, hasAnyField } from './allocation-requests.mapper.js';
import {
  checkIpv4,
  checkOptionalTime,
  checkPattern,
  checkSubdomain,
  present,
  RequestProblems,
} from './request-checks.js';

const ENI_ID = /^eni-[0-9a-z]+$/;

export function toHistoryQuery(request: pb.HistoryRequest): HistoryQuery {
  const problems = new RequestProblems();
  const given = [
    present(request.ip) && 'ip',
    hasAnyField(request.pod) && 'pod',
    present(request.node) && 'node',
    present(request.eni) && 'eni',
  ].filter((field): field is string => field !== false);
  if (given.length !== 1) {
    problems.add(
      given.length === 0 ? 'ip, pod, node, eni' : given.join(', '),
      'give exactly one of ip, pod, node or eni',
    );
    problems.throwIfAny();
  }
  const subject = toSubject(problems, given[0], request);
  const from = checkOptionalTime(problems, 'from', request.from);
  const to = checkOptionalTime(problems, 'to', request.to);
  if (from !== null && to !== null && from > to) {
    problems.add('to', 'earlier than from');
  }
  problems.throwIfAny();
  return { subject, from, to };
}

function toSubject(problems: RequestProblems, field: string, request: pb.HistoryRequest): HistorySubject {
  switch (field) {
    case 'ip':
      return { kind: 'ip', ip: checkIpv4(problems, 'ip', request.ip) };
    case 'pod':
      return { kind: 'pod', pod: checkPodSelector(problems, 'pod', request.pod) };
    case 'node':
      return { kind: 'node', node: checkSubdomain(problems, 'node', request.node) };
    default:
      return { kind: 'eni', eniId: checkPattern(problems, 'eni', request.eni, ENI_ID, 'an ENI id (eni-…)') };
  }
}
