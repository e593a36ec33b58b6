// IPLEDGER_KERNEL, on its own so that main.ts can check it with the other settings before anything else loads.
import { ConfigError } from '@ipledger/config';

export type KernelImplementation = 'netlink' | 'iproute';
export type KernelChoice = KernelImplementation | 'auto';
/** Both, for tests that prove a behaviour on each. */
export const KERNEL_IMPLEMENTATIONS: readonly KernelImplementation[] = ['netlink', 'iproute'];

export const KERNEL_ENV = 'IPLEDGER_KERNEL';

/** IPLEDGER_KERNEL: unset or empty means "netlink if it works". */
export function parseKernelChoice(value: string | undefined): KernelChoice {
  const text = value?.trim() ?? '';
  if (text === '') {
    return 'auto';
  }
  if (text === 'netlink' || text === 'iproute') {
    return text;
  }
  throw new ConfigError([`${KERNEL_ENV}: must be "netlink" or "iproute", got ${JSON.stringify(value)}`]);
}
