import { describe, expect, it } from 'vitest';
import { RequestParams } from './request-params.js';

const parse = (query: string) => RequestParams.parse(new URLSearchParams(query), '', undefined);

describe('RequestParams', () => {
  it('reads flattened lists and tags in the order of N', () => {
    const params = parse(
      'NetworkInterfaceId.2=eni-b&NetworkInterfaceId.1=eni-a&Tag.1.Key=k1&Tag.1.Value=v1&Tag.2.Key=k2',
    );
    expect(params.list('NetworkInterfaceId', 100)).toEqual(['eni-a', 'eni-b']);
    expect(params.tags(20)).toEqual([
      ['k1', 'v1'],
      ['k2', ''],
    ]);
  });

  it('answers MissingParameter and InvalidParameter like the API', () => {
    const params = parse('PageSize=500');
    expect(caught(() => params.requireString('RegionId'))).toMatchObject({ code: 'MissingParameter', status: 400 });
    expect(caught(() => params.int('PageSize', 1, 100))).toMatchObject({ code: 'InvalidParameter', status: 400 });
  });

  it('reads form-encoded bodies as parameters as well', () => {
    const params = RequestParams.parse(new URLSearchParams('A=1'), 'B=2', 'application/x-www-form-urlencoded');
    expect([params.string('A'), params.string('B')]).toEqual(['1', '2']);
  });

  it("fingerprints only the request's own parameters", () => {
    const first = parse('VSwitchId=v&ClientToken=t&SignatureNonce=1&Timestamp=a');
    const retry = parse('VSwitchId=v&ClientToken=t&SignatureNonce=2&Timestamp=b');
    expect(first.fingerprint()).toBe(retry.fingerprint());
    expect(parse('VSwitchId=w&ClientToken=t').fingerprint()).not.toBe(first.fingerprint());
  });
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
