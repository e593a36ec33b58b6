// deploy/cni/10-ipledger.conflist, turned into the per-plugin config a runtime would pipe to the binary
// (libcni: list cniVersion and name, the plugin's keys without `capabilities`, runtimeConfig for the
// capabilities it declares), must pass the binary's own checks for every command.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CNI_COMMANDS, DEFAULT_CNI_SOCKET, decodeNetConf } from '@ipledger/proto';

const path = resolve(import.meta.dirname, '../../../deploy/cni/10-ipledger.conflist');
const list = JSON.parse(readFileSync(path, 'utf8')) as {
  cniVersion: string;
  name: string;
  plugins: { type: string; capabilities?: Record<string, boolean>; [key: string]: unknown }[];
};

describe('deploy/cni/10-ipledger.conflist', () => {
  const [plugin] = list.plugins;
  const { capabilities, ...keys } = plugin;

  it('declares one ipledger plugin, for CNI 1.1.0, talking to the default agent socket', () => {
    expect(list.plugins).toHaveLength(1);
    expect(list.cniVersion).toBe('1.1.0');
    expect(plugin).toMatchObject({ type: 'ipledger-cni', agentSocket: DEFAULT_CNI_SOCKET });
  });

  it('asks the runtime for the bandwidth capability', () => {
    expect(capabilities).toEqual({ bandwidth: true });
  });

  it.each(CNI_COMMANDS)('yields a config the binary accepts for %s', (command) => {
    const config = {
      cniVersion: list.cniVersion,
      name: list.name,
      ...keys,
      runtimeConfig: { bandwidth: { ingressRate: 10_000_000, ingressBurst: 1_000_000 } },
      ...(command === 'CHECK' ? { prevResult: { cniVersion: list.cniVersion } } : {}),
      ...(command === 'GC' ? { 'cni.dev/valid-attachments': [] } : {}),
    };
    expect(decodeNetConf(JSON.stringify(config), command)).toMatchObject({ ok: true });
  });
});
