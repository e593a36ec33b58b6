import { randomUUID } from 'node:crypto';
import {
  type VSwitchCandidate,
  type VSwitchChoice,
  type VSwitchCommand,
  chooseVSwitch,
  decideVSwitch,
  evolveVSwitch,
  initialVSwitchState,
  vswitchStream,
} from '@ipledger/domain';
import { type CloudPort, type CloudVSwitch } from '@ipledger/cloud';
import { ConcurrencyError, type EventStore } from '@ipledger/event-store';
import type { EniConfig } from '@ipledger/config';
import type { VSwitchRepository } from '../projections/vswitch.repository.js';

export interface VSwitchCatalogOptions {
  actor: string;
  /** How long a DescribeVSwitches answer is trusted. Default 60 s. */
  capacityTtlMs?: number;
}

/**
 * The vSwitches a node's new ENI may go to: those of its zone in the eni-config (read at each choice, so a
 * vSwitch added to the config is used without a restart), their free addresses from DescribeVSwitches
 * (cached briefly and recorded on the `vswitch-<id>` streams when they change), and the blocks every replica
 * recorded (from the `vswitches` projection).
 */
export class VSwitchCatalog {
  private readonly described = new Map<string, { at: number; vswitch: CloudVSwitch }>();
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly cloud: CloudPort,
    private readonly store: EventStore,
    private readonly repository: VSwitchRepository,
    private readonly config: () => EniConfig,
    private readonly options: VSwitchCatalogOptions,
  ) {}

  async choose(zone: string, now: Date): Promise<VSwitchChoice> {
    const ids = this.config().vswitches[zone] ?? [];
    await this.refreshCapacity(ids, now.getTime());
    const candidates = ids.flatMap((id): VSwitchCandidate[] => {
      const seen = this.described.get(id)?.vswitch;
      return seen ? [{ ...seen, availableIpCount: seen.availableIpCount }] : [];
    });
    const blocked = new Map<string, string>();
    for (const record of await this.repository.findByIds(ids)) {
      if (record.blockedUntil) {
        blocked.set(record.id, record.blockedUntil.toISOString());
      }
    }
    const policy = this.config().vswitchSelectionPolicy;
    return chooseVSwitch({ candidates, zone, policy, blocked, now: now.toISOString(), random: Math.random() });
  }

  /** Records that the vSwitch ran out of addresses; every replica skips it until the block ends. */
  async block(vswitchId: string, zone: string, reason: string, now: Date): Promise<void> {
    const blockForSeconds = this.config().vswitchBlockMs / 1000;
    await this.execute(vswitchId, {
      type: 'BlockVSwitch',
      vswitchId,
      zone,
      reason,
      blockForSeconds,
      now: now.toISOString(),
    });
    const seen = this.described.get(vswitchId);
    if (seen) {
      this.described.set(vswitchId, { at: seen.at, vswitch: { ...seen.vswitch, availableIpCount: 0 } });
    }
  }

  /** Forget cached capacity, e.g. after an ENI took addresses from a vSwitch. */
  invalidate(vswitchId: string): void {
    this.described.delete(vswitchId);
  }

  private async refreshCapacity(ids: readonly string[], nowMs: number): Promise<void> {
    const ttl = this.options.capacityTtlMs ?? 60_000;
    const stale = ids.filter((id) => (this.described.get(id)?.at ?? -Infinity) + ttl <= nowMs);
    if (stale.length === 0) {
      return;
    }
    // Concurrent choices share one DescribeVSwitches.
    this.inflight ??= this.describe(stale, nowMs).finally(() => (this.inflight = null));
    await this.inflight;
  }

  private async describe(ids: string[], nowMs: number): Promise<void> {
    const found = await this.cloud.describeVSwitches(ids);
    const now = new Date(nowMs).toISOString();
    for (const vswitch of found) {
      this.described.set(vswitch.id, { at: nowMs, vswitch });
      const { id, zone, cidr, availableIpCount } = vswitch;
      await this.execute(id, { type: 'ObserveVSwitchCapacity', vswitchId: id, zone, cidr, availableIpCount, now });
    }
  }

  private async execute(vswitchId: string, command: VSwitchCommand): Promise<void> {
    const streamId = vswitchStream(vswitchId);
    for (let attempt = 1; ; attempt++) {
      const recorded = await this.store.readStream(streamId);
      const state = recorded.reduce(
        (s, e) => evolveVSwitch(s, { type: e.type, data: e.data } as Parameters<typeof evolveVSwitch>[1]),
        initialVSwitchState(),
      );
      const events = decideVSwitch(command, state);
      if (events.length === 0) {
        return;
      }
      try {
        await this.store.append(
          streamId,
          recorded.length,
          events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })),
          { actor: this.options.actor },
        );
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 5) {
          throw error;
        }
      }
    }
  }
}
