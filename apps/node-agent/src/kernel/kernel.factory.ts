// Which KernelPort the agent runs on, decided once at start. Netlink (no process per batch) whenever koffi
// loads and a netlink socket opens; iproute2 otherwise, with a warning, because an agent that can still wire
// pods slowly is better than one that cannot start. IPLEDGER_KERNEL forces either: `netlink` then fails the
// start instead of falling back, `iproute` never tries netlink.
import { IprouteKernelAdapter } from './iproute-kernel.adapter.js';
import { KERNEL_ENV, type KernelChoice, type KernelImplementation } from './kernel-choice.js';
import { type KernelPort } from './kernel.port.js';
import { NetlinkKernelAdapter } from './netlink-kernel.adapter.js';

export * from './kernel-choice.js';

export interface KernelLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** One implementation, no fallback (tests, benchmarks, IPLEDGER_KERNEL). */
export function openKernel(implementation: KernelImplementation, hostNetns: string | null): KernelPort {
  return implementation === 'netlink' ? NetlinkKernelAdapter.open(hostNetns) : new IprouteKernelAdapter(hostNetns);
}

export interface SelectedKernel {
  kernel: KernelPort;
  implementation: KernelImplementation;
}

export function selectKernel(
  hostNetns: string | null,
  choice: KernelChoice,
  log: KernelLog,
  openNetlink: (hostNetns: string | null) => KernelPort = (ns) => NetlinkKernelAdapter.open(ns),
): SelectedKernel {
  if (choice !== 'auto') {
    const kernel = choice === 'netlink' ? openNetlink(hostNetns) : new IprouteKernelAdapter(hostNetns);
    log.info('kernel writes', { implementation: choice, forcedBy: KERNEL_ENV });
    return { kernel, implementation: choice };
  }
  try {
    const kernel = openNetlink(hostNetns);
    log.info('kernel writes', { implementation: 'netlink' });
    return { kernel, implementation: 'netlink' };
  } catch (error) {
    log.warn('netlink unavailable; kernel writes fall back to ip -batch processes', {
      error: error instanceof Error ? error.message : String(error),
    });
    return { kernel: new IprouteKernelAdapter(hostNetns), implementation: 'iproute' };
  }
}
