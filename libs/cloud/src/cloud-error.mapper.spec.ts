import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import { describe, expect, it } from 'vitest';
import { classifyCloudError, toCloudError } from './cloud-error.mapper.js';
import { secretRedactor } from './redactor.js';

const keep = (text: string) => text;

function sdkError(statusCode: number, code: string, message = 'm') {
  const map = {
    statusCode,
    code,
    message,
    requestId: 'req-1',
    data: { Code: code, Message: message, RequestId: 'req-1' },
  };
  if (code.includes('Throttling')) {
    return new ThrottlingError(map);
  }
  return statusCode >= 500 ? new ServerError(map) : new ClientError(map);
}

describe('toCloudError', () => {
  it.each([
    [400, 'Throttling.User', 'throttled'],
    [400, 'Throttling', 'throttled'],
    [403, 'Operation.Conflict', 'conflict'],
    [500, 'InternalError', 'internal'],
    [503, 'ServiceUnavailable', 'internal'],
    [502, 'SomethingNew', 'internal'],
    [403, 'InvalidVSwitchId.IpNotEnough', 'vswitch-exhausted'],
    [403, 'QuotaExceeded.PrivateIpAddress', 'vswitch-exhausted'],
    [403, 'EniPerInstanceLimitExceeded', 'limit-exceeded'],
    [403, 'InvalidOperation.Ipv4CountExceeded', 'limit-exceeded'],
    [404, 'InvalidEniId.NotFound', 'not-found'],
    [403, 'InvalidInstanceId.NotFound', 'not-found'],
    [404, 'InvalidVSwitchId.NotFound', 'not-found'],
    [400, 'MissingParameter', 'invalid'],
    [400, 'InvalidParameter', 'invalid'],
    [400, 'InvalidOperation.InvalidEniState', 'invalid'],
    [400, 'IdempotentParameterMismatch', 'invalid'],
  ])('maps HTTP %i %s to %s', (status, code, kind) => {
    const error = toCloudError('CreateNetworkInterface', sdkError(status, code), keep);
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
    expect(error.requestId).toBe('req-1');
    expect(error.api).toBe('CreateNetworkInterface');
  });

  it('makes connection failures and timeouts retryable internal errors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const timeout = Object.assign(new Error('ReadTimeout(10000)'), { name: 'RequestTimeoutError' });
    expect(toCloudError('AttachNetworkInterface', refused, keep)).toMatchObject({
      kind: 'internal',
      code: 'ECONNREFUSED',
    });
    expect(toCloudError('AttachNetworkInterface', timeout, keep)).toMatchObject({ kind: 'internal', retryable: true });
  });

  it('uses the cloud message without the SDK decoration', () => {
    const error = toCloudError('DeleteNetworkInterface', sdkError(404, 'InvalidEniId.NotFound', 'gone'), keep);
    expect(error.message).toBe('DeleteNetworkInterface: InvalidEniId.NotFound: gone');
  });

  it('never shows credentials in messages', () => {
    const redact = secretRedactor(['LTAIkeyid123', 'verysecretvalue']);
    const leak = Object.assign(new Error('GET http://x/?AccessKeyId=LTAIkeyid123&s=verysecretvalue failed'), {
      code: 'ECONNRESET',
    });
    const error = toCloudError('DescribeVSwitches', leak, redact);
    expect(error.message).not.toContain('LTAIkeyid123');
    expect(error.message).not.toContain('verysecretvalue');
    expect(error.message).toContain('AccessKeyId=***');
  });
});

describe('classifyCloudError', () => {
  it('treats unknown 4xx codes as invalid and anything else as unknown', () => {
    expect(classifyCloudError('Forbidden.RAM', 403)).toBe('invalid');
    expect(classifyCloudError('Weird', null)).toBe('unknown');
  });
});
