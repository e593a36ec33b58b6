import { describe, expect, it } from 'vitest';
import { isSecretKey, maskUrlCredentials, REDACTED, redactSecrets } from './redaction.js';

describe('isSecretKey', () => {
  it.each([
    'accessKeySecret',
    'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    'password',
    'PGPASSWORD',
    'token',
    'authToken',
    'secret',
    'DATABASE_URL',
    'databaseUrl',
    'credentials',
    'accessKeyId',
    'private_key',
    'Authorization',
  ])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['node', 'ip', 'clientToken', 'keyFile', 'tokenBucket', 'secretary_name_x', 'url'])('%s is not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('maskUrlCredentials', () => {
  it('masks the password of a connection URL and keeps where it points', () => {
    expect(maskUrlCredentials('connecting to postgres://app:s3cret@db:5432/ipledger now')).toBe(
      `connecting to postgres://app:${REDACTED}@db:5432/ipledger now`,
    );
  });

  it('masks every URL in the text and leaves URLs without a password alone', () => {
    const text = 'a=postgres://u:p1@h/d b=nats://x:p2@n:4222 c=postgres://postgres@127.0.0.1/db';
    expect(maskUrlCredentials(text)).toBe(
      `a=postgres://u:${REDACTED}@h/d b=nats://x:${REDACTED}@n:4222 c=postgres://postgres@127.0.0.1/db`,
    );
  });
});

describe('redactSecrets', () => {
  it('replaces secret-named values at any depth and masks URL passwords in strings', () => {
    const input = {
      node: 'n1',
      cloud: { accessKeyId: 'LTAI123456', accessKeySecret: 'very-secret' },
      list: [{ password: 'pw' }, 'postgres://a:b@h/d'],
      DATABASE_URL: 'postgres://app:s3cret@db/ipledger',
      emptyToken: '',
    };
    expect(redactSecrets(input)).toEqual({
      node: 'n1',
      cloud: { accessKeyId: REDACTED, accessKeySecret: REDACTED },
      list: [{ password: REDACTED }, `postgres://a:${REDACTED}@h/d`],
      DATABASE_URL: `postgres://app:${REDACTED}@db/ipledger`,
      emptyToken: '',
    });
  });

  it('keeps a password-less URL under a secret key readable', () => {
    expect(redactSecrets({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/ipledger' })).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/ipledger',
    });
  });

  it('does not change the object it was given', () => {
    const input = { password: 'pw' };
    redactSecrets(input);
    expect(input.password).toBe('pw');
  });
});
