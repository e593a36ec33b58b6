import { describe, expect, it } from 'vitest';
import { readCommand, readInvocation, type CniEnv } from './cni-env.js';
import { CniFailure } from './cni-failure.js';

const attachment: CniEnv = {
  CNI_CONTAINERID: 'c0ffee.1_a-b',
  CNI_NETNS: '/proc/4242/ns/net',
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
};

function failureOf(action: () => unknown): CniFailure {
  try {
    action();
  } catch (err) {
    if (err instanceof CniFailure) {
      return err;
    }
    throw err;
  }
  throw new Error('expected a CniFailure');
}

describe('readCommand', () => {
  it.each(['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'])('accepts %s', (command) => {
    expect(readCommand({ CNI_COMMAND: command })).toBe(command);
  });

  it.each([
    [{}, 'CNI_COMMAND: required'],
    [{ CNI_COMMAND: 'add' }, 'CNI_COMMAND: unknown command "add"'],
  ])('refuses %o with code 4', (env, msg) => {
    const failure = failureOf(() => readCommand(env));
    expect(failure.code).toBe(4);
    expect(failure.message).toContain(msg);
  });
});

describe('readInvocation', () => {
  it('reads an ADD with the kubelet CNI_ARGS', () => {
    const env = { ...attachment, CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=kube-system;K8S_POD_NAME=dns-0;' };
    expect(readInvocation(env, 'ADD')).toEqual({
      command: 'ADD',
      containerId: 'c0ffee.1_a-b',
      netns: '/proc/4242/ns/net',
      ifName: 'eth0',
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: 'kube-system', K8S_POD_NAME: 'dns-0' },
      path: '/opt/cni/bin',
    });
  });

  it('lets DEL come without CNI_NETNS and CNI_PATH', () => {
    const invocation = readInvocation({ CNI_CONTAINERID: 'abc', CNI_IFNAME: 'eth0' }, 'DEL');
    expect(invocation).toMatchObject({ netns: '', path: '', containerId: 'abc' });
  });

  it('ignores attachment variables for STATUS and GC', () => {
    expect(readInvocation({ CNI_CONTAINERID: '-not-valid-' }, 'GC')).toMatchObject({ containerId: '', ifName: '' });
    expect(readInvocation({}, 'STATUS')).toMatchObject({ command: 'STATUS', netns: '' });
  });

  it.each([
    ['ADD', { CNI_NETNS: undefined }, 'missing for ADD: CNI_NETNS'],
    ['CHECK', { CNI_CONTAINERID: '', CNI_IFNAME: undefined }, 'missing for CHECK: CNI_CONTAINERID, CNI_IFNAME'],
    ['ADD', { CNI_CONTAINERID: 'a/b' }, 'CNI_CONTAINERID: "a/b" must start with a letter or digit'],
    ['ADD', { CNI_IFNAME: '..' }, 'CNI_IFNAME: ".." is not a valid interface name'],
    ['ADD', { CNI_IFNAME: 'eth 0' }, 'CNI_IFNAME: "eth 0" must not contain'],
    ['DEL', { CNI_IFNAME: 'a-very-long-name' }, 'CNI_IFNAME: "a-very-long-name" is longer than 15 bytes'],
    ['ADD', { CNI_NETNS: 'ns1' }, 'CNI_NETNS: "ns1" must be an absolute path'],
    ['ADD', { CNI_ARGS: 'A=1;=2' }, 'CNI_ARGS: "=2" is not KEY=VALUE'],
  ] as const)('%s with %o fails with code 4: %s', (command, override, msg) => {
    const failure = failureOf(() => readInvocation({ ...attachment, ...override }, command));
    expect(failure.code).toBe(4);
    expect(failure.message).toContain(msg);
  });
});
