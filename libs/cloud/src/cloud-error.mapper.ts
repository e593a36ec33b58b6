import { type CloudApiName } from './cloud-api.js';
import { CloudError, type CloudErrorKind } from './cloud.port.js';

const VSWITCH_EXHAUSTED = new Set(['InvalidVSwitchId.IpNotEnough', 'QuotaExceeded.PrivateIpAddress']);

const LIMIT_EXCEEDED = new Set([
  'EniPerInstanceLimitExceeded',
  'MaxEniCountExceeded',
  'InvalidOperation.EniCountExceeded',
  'InvalidOperation.Ipv4CountExceeded',
  'InvalidOperation.Ipv6CountExceeded',
  'MaxEniPrivateIpsCountExceeded',
]);

const CONFLICT = new Set([
  'Operation.Conflict',
  'LastTokenProcessing',
  'IdempotenceProcessing',
  'OperationFailed.IdempotentTokenProcessing',
]);

const INTERNAL = new Set(['InternalError', 'UnknownError', 'ServiceUnavailable']);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

/** What an error thrown by @alicloud/openapi-core (ClientError, ServerError, ThrottlingError) carries. */
interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  requestId?: unknown;
  retryAfter?: unknown;
  data?: unknown;
}

/** Classifies an API error code (and HTTP status) into what the caller should do about it. */
export function classifyCloudError(code: string, httpStatus: number | null): CloudErrorKind {
  if (code.startsWith('Throttling')) {
    return 'throttled';
  }
  if (CONFLICT.has(code)) {
    return 'conflict';
  }
  if (INTERNAL.has(code) || code.startsWith('InternalError') || (httpStatus !== null && httpStatus >= 500)) {
    return 'internal';
  }
  if (VSWITCH_EXHAUSTED.has(code)) {
    return 'vswitch-exhausted';
  }
  if (LIMIT_EXCEEDED.has(code)) {
    return 'limit-exceeded';
  }
  if (code.endsWith('.NotFound') || httpStatus === 404) {
    return 'not-found';
  }
  if (httpStatus !== null && httpStatus >= 400) {
    return 'invalid';
  }
  return 'unknown';
}

/**
 * Turns anything a cloud call threw into a CloudError: SDK errors keep the cloud's code, status and request id;
 * connection problems and timeouts become retryable 'internal' errors. Messages pass through `redact`.
 */
export function toCloudError(api: CloudApiName, error: unknown, redact: (text: string) => string): CloudError {
  if (error instanceof CloudError) {
    return error;
  }
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? error : {};
  const rawMessage = redact(messageOf(shape, error));
  const status = typeof shape.statusCode === 'number' ? shape.statusCode : null;
  const code = typeof shape.code === 'string' && shape.code !== '' ? shape.code : null;
  if (code !== null && (status !== null || isSdkErrorName(shape.name))) {
    return new CloudError(api, code, classifyCloudError(code, status), rawMessage, requestIdOf(shape), status);
  }
  if ((code !== null && NETWORK_CODES.has(code)) || shape.name === 'RequestTimeoutError') {
    return new CloudError(api, code ?? 'RequestTimeout', 'internal', rawMessage, null, null);
  }
  if (shape.name === 'SyntaxError') {
    return new CloudError(api, 'InvalidResponse', 'internal', rawMessage, null, status);
  }
  return new CloudError(api, code ?? 'Unknown', 'unknown', rawMessage, null, status);
}

/** A server's "retry after" hint in ms, when the SDK surfaced one. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = typeof error === 'object' && error !== null ? (error as SdkErrorShape).retryAfter : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The cloud's own Message when the body had one; the SDK's message repeats code and status around it. */
function messageOf(shape: SdkErrorShape, error: unknown): string {
  const data = shape.data as { Message?: unknown } | undefined;
  if (typeof data?.Message === 'string') {
    return data.Message;
  }
  return typeof shape.message === 'string' ? shape.message : String(error);
}

function isSdkErrorName(name: unknown): boolean {
  return name === 'ClientError' || name === 'ServerError' || name === 'ThrottlingError' || name === 'ResponseError';
}

function requestIdOf(shape: SdkErrorShape): string | null {
  if (typeof shape.requestId === 'string' && shape.requestId !== '' && shape.requestId !== 'undefined') {
    return shape.requestId;
  }
  const data = shape.data as { RequestId?: unknown } | undefined;
  return typeof data?.RequestId === 'string' ? data.RequestId : null;
}
