import { Logger } from '@nestjs/common';
import { type CloudEni, type CloudPort } from '@ipledger/cloud';
import type { EniConfig } from '@ipledger/config';
import type { EniRepository } from '../projections/eni.repository.js';
import { TAG_CLUSTER } from '../pool/eni-saga.js';
import type { PoolLock } from '../pool/pool-lock.js';

export interface LeakedEniSweeperOptions {
  /** Default 10 min. */
  intervalMs?: number;
  /** ENIs younger than this are left alone (a creation may be about to be recorded). Default 10 min. */
  minAgeMs?: number;
}

export interface LeakSweepResult {
  /** Tagged with this cluster, Available, unknown to the ledger, old enough: seen for the first time now. */
  sighted: string[];
  /** Seen like that in the previous sweep too, and deleted now. */
  deleted: string[];
}

/**
 * Deletes ENIs that carry this cluster's tag but that the ledger does not know (a creation whose record was
 * lost for good, an ENI left by an older installation): only ENIs in the Available state (attached to no
 * instance), older than `minAgeMs`, and seen like that in two consecutive sweeps. One replica sweeps at a time.
 */
export class LeakedEniSweeper {
  private readonly log = new Logger(LeakedEniSweeper.name);
  private sightings = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> | null = null;

  constructor(
    private readonly cloud: CloudPort,
    private readonly enis: EniRepository,
    private readonly lock: PoolLock,
    private readonly config: () => EniConfig,
    private readonly options: LeakedEniSweeperOptions = {},
  ) {}

  start(): void {
    const every = this.options.intervalMs ?? 600_000;
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => this.log.warn(`leaked-ENI sweep failed: ${String(error)}`))
        .finally(() => (this.sweeping = null));
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.sweeping;
    await this.lock.close();
  }

  /** One sweep, if no other replica is sweeping; null when it was. */
  async sweep(now = Date.now()): Promise<LeakSweepResult | null> {
    if (!(await this.lock.tryAcquire('leaked-enis'))) {
      return null;
    }
    try {
      return await this.sweepLocked(now);
    } finally {
      await this.lock.release('leaked-enis');
    }
  }

  private async sweepLocked(now: number): Promise<LeakSweepResult> {
    const tagged = await this.cloud.describeNetworkInterfaces({ tags: { [TAG_CLUSTER]: this.config().clusterId } });
    // The ledger is read after the cloud: an ENI recorded in between counts as known.
    const known = await this.enis.listIds();
    const suspects = tagged.filter((eni) => !known.has(eni.id) && this.looksLeaked(eni, now)).map((e) => e.id);
    const deleted: string[] = [];
    for (const eniId of suspects.filter((id) => this.sightings.has(id))) {
      try {
        await this.cloud.deleteNetworkInterface(eniId);
        deleted.push(eniId);
        this.log.warn(
          `deleted leaked ENI ${eniId} (tagged ${TAG_CLUSTER}=${this.config().clusterId}, unknown to the ledger)`,
        );
      } catch (error) {
        this.log.warn(`deleting leaked ENI ${eniId} failed: ${String(error)}`);
      }
    }
    const sighted = suspects.filter((id) => !this.sightings.has(id));
    this.sightings = new Set(suspects.filter((id) => !deleted.includes(id)));
    return { sighted, deleted };
  }

  private looksLeaked(eni: CloudEni, now: number): boolean {
    if (eni.status !== 'Available' || eni.instanceId !== null) {
      return false;
    }
    const created = eni.creationTime ? Date.parse(eni.creationTime) : Number.NaN;
    return Number.isNaN(created) || now - created >= (this.options.minAgeMs ?? 600_000);
  }
}
