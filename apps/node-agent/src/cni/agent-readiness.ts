// Whether the agent can serve ADD: its node is registered with the allocator, the first repair pass is done,
// and the allocator answers now. STATUS asks the allocator each time (cheaply, with a short deadline).
import { DomainError } from '@ipledger/domain';
import { type AllocatorClient } from '@ipledger/proto';
import { type CniStatusReport } from '../cni-socket/index.js';
import { allocatorFailure } from '../allocator/allocator-failure.js';

const STATUS_TIMEOUT_MS = 2_000;

export class AgentReadiness {
  private started = false;
  private startupProblem = 'node agent is starting: node not registered with the allocator yet';

  constructor(
    private readonly allocator: Pick<AllocatorClient, 'describePool'>,
    private readonly node: string,
  ) {}

  markStarted(): void {
    this.started = true;
  }

  /** Why the agent is not started yet, e.g. the allocator refused the registration. */
  setStartupProblem(reason: string): void {
    this.startupProblem = reason;
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** Refuses (CNI code 11) while the agent has not finished starting. */
  assertStarted(): void {
    if (!this.started) {
      throw new DomainError('unavailable', this.startupProblem, { reason: 'agent-starting' });
    }
  }

  async status(): Promise<CniStatusReport> {
    if (!this.started) {
      return { ready: false, reason: this.startupProblem };
    }
    try {
      await this.allocator.describePool({ node: this.node }, { timeoutMs: STATUS_TIMEOUT_MS });
      return { ready: true };
    } catch (error) {
      const failure = allocatorFailure(error);
      const reason =
        failure.code === 'failed-precondition' || failure.code === 'not-found'
          ? `node ${this.node} is not registered with the allocator`
          : failure.message;
      return { ready: false, reason };
    }
  }
}
