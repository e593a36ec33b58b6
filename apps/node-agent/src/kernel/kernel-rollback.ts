// Undo for multi-step setups, in the spirit of a deferred rollback: each step registers its undo BEFORE it
// runs. Undo operations are idempotent deletes, so undoing a step that only half happened (or not at all) is
// safe, and a failure leaves nothing behind.
import { type KernelPort, type NsTarget } from './kernel.port.js';
import { type NetOp } from './net-op.js';

export class KernelRollback {
  private readonly steps: (() => Promise<void>)[] = [];

  constructor(private readonly kernel: KernelPort) {}

  /** Registers what undoes the next step. */
  undo(target: NsTarget, ops: readonly NetOp[]): void {
    this.steps.push(async () => {
      // A pod namespace that is gone took everything inside it along.
      if (target.kind === 'host' || (await this.kernel.netnsExists(target))) {
        await this.kernel.apply(target, ops);
      }
    });
  }

  /** Registers an undo that needs to look before it acts; it must be idempotent too. */
  undoWith(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  /** Undoes every registered step, newest first; keeps going past failures and reports the first one. */
  async run(): Promise<unknown> {
    let firstFailure: unknown = null;
    for (const step of this.steps.reverse()) {
      try {
        await step();
      } catch (failure) {
        firstFailure ??= failure;
      }
    }
    this.steps.length = 0;
    return firstFailure;
  }
}

/**
 * Runs `setup`; if it throws, undoes what it registered and rethrows the original error. A failed undo is
 * attached to it as `rollbackFailure` rather than hiding why the setup failed.
 */
export async function withRollback<T>(kernel: KernelPort, setup: (rollback: KernelRollback) => Promise<T>): Promise<T> {
  const rollback = new KernelRollback(kernel);
  try {
    return await setup(rollback);
  } catch (failure) {
    const undoFailure = await rollback.run();
    if (undoFailure !== null && failure instanceof Error) {
      Object.assign(failure, { rollbackFailure: undoFailure });
    }
    throw failure;
  }
}
