// Errors as the ECS OpenAPI reports them: a code, an HTTP status and a message. Codes and statuses follow the
// per-API error tables of the ECS API reference (see docs/ecs-sim.md for sources and the choices made).

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Statuses for codes that can be injected as faults; anything not listed answers 400. */
const STATUS_BY_CODE: Record<string, number> = {
  Throttling: 400,
  'Throttling.User': 400,
  'Throttling.Api': 400,
  InternalError: 500,
  UnknownError: 500,
  ServiceUnavailable: 503,
  'Operation.Conflict': 403,
  'InvalidVSwitchId.IpNotEnough': 403,
  'QuotaExceeded.PrivateIpAddress': 403,
  EniPerInstanceLimitExceeded: 403,
  'InvalidOperation.Ipv4CountExceeded': 403,
};

const MESSAGE_BY_CODE: Record<string, string> = {
  Throttling: 'Request was denied due to request throttling.',
  'Throttling.User': 'Request was denied due to user flow control.',
  'Throttling.Api': 'Request was denied due to api flow control.',
  InternalError: 'The request processing has failed due to some unknown error, exception or failure.',
  UnknownError: 'The request processing has failed due to some unknown error.',
  ServiceUnavailable: 'The request has failed due to a temporary failure of the server.',
  'Operation.Conflict': 'ecs task is conflicted.',
};

export function injectedError(code: string): ApiError {
  return new ApiError(code, STATUS_BY_CODE[code] ?? 400, MESSAGE_BY_CODE[code] ?? `Injected fault ${code}.`);
}

export const apiErrors = {
  missingParameter: (name: string) =>
    new ApiError(
      'MissingParameter',
      400,
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    ),
  invalidParameter: (name: string, why: string) =>
    new ApiError('InvalidParameter', 400, `The specified parameter "${name}" is not valid: ${why}`),
  parameterConflict: (a: string, b: string) =>
    new ApiError('InvalidParameter.Conflict', 400, `The parameters "${a}" and "${b}" cannot be specified together.`),
  invalidAction: (action: string) =>
    new ApiError(
      'InvalidAction.NotFound',
      404,
      `Specified api "${action}" is not found, please check your url and method.`,
    ),
  regionNotFound: (regionId: string) =>
    new ApiError('InvalidRegionId.NotFound', 404, `The specified RegionId "${regionId}" does not exist.`),
  eniNotFound: (eniId: string) =>
    new ApiError('InvalidEniId.NotFound', 404, `The specified EniId "${eniId}" is not found.`),
  instanceNotFound: (instanceId: string, status = 404) =>
    new ApiError('InvalidInstanceId.NotFound', status, `The specified InstanceId "${instanceId}" does not exist.`),
  vswitchNotFound: (vswitchId: string) =>
    new ApiError('InvalidVSwitchId.NotFound', 404, `The specified VSwitchId "${vswitchId}" is not found.`),
  ipNotEnough: (vswitchId: string) =>
    new ApiError('InvalidVSwitchId.IpNotEnough', 403, `The specified VSwitch "${vswitchId}" has not enough IpAddress.`),
  ipInvalid: (ip: string, cidr: string) =>
    new ApiError(
      'InvalidVSwitchId.IpInvalid',
      403,
      `The specified IpAddress "${ip}" is not valid in VSwitch CIDR block "${cidr}".`,
    ),
  ipAssigned: (ip: string) =>
    new ApiError('InvalidIp.IpAssigned', 403, `The specified IP "${ip}" is already assigned.`),
  ipUnassigned: (ip: string) =>
    new ApiError('InvalidIp.IpUnassigned', 403, `The specified IP "${ip}" is not assigned on this ENI.`),
  invalidEniState: (expected: string, current: string) =>
    new ApiError(
      'InvalidOperation.InvalidEniState',
      400,
      `The operation is not allowed in the current ENI state. Expecting status is "${expected}" while current status is "${current}".`,
    ),
  detachPrimary: () =>
    new ApiError(
      'InvalidOperation.DetachPrimaryEniNotAllowed',
      400,
      'The primary ENI of an instance cannot be detached.',
    ),
  zoneMismatch: () =>
    new ApiError(
      'InvalidOperation.AvailabilityZoneMismatch',
      403,
      'The ENI and the instance are not in the same zone.',
    ),
  eniPerInstanceLimit: (instanceId: string, limit: number) =>
    new ApiError(
      'EniPerInstanceLimitExceeded',
      403,
      `Instance "${instanceId}" already holds ${limit} ENIs, the most its type allows.`,
    ),
  ipv4CountExceeded: (limit: number) =>
    new ApiError(
      'InvalidOperation.Ipv4CountExceeded',
      403,
      `The ENI would hold more than ${limit} private IPv4 addresses.`,
    ),
  idempotentMismatch: () =>
    new ApiError(
      'IdempotentParameterMismatch',
      400,
      'The request uses the same client token as a previous, but non-identical request.',
    ),
  invalidEniType: (why: string) => new ApiError('InvalidOperation.InvalidEniType', 403, why),
};
