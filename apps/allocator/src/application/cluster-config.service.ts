import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  type EniConfig,
  type EniConfigSource,
  type LoadedEniConfig,
  eniConfigFromObject,
  readEniConfig,
} from '@ipledger/config';
import { CLUSTER_STREAM, type ConfigApplied, type PoolConfig } from '@ipledger/domain';
import { ConcurrencyError, type EventStore } from '@ipledger/event-store';

export interface ClusterConfigOptions {
  actor: string;
  /** Where this process read its eni-config; re-read every `reloadIntervalMs` to apply edits live. */
  source?: EniConfigSource;
  /** Default 10 s. 0 turns the follow-up off. */
  reloadIntervalMs?: number;
}

/**
 * The eni-config in force, as the ledger records it: a new version is a `ConfigApplied` event on the
 * `cluster` stream. At start this process applies its own config if it differs from the last recorded one;
 * then it follows both its config source (an edited ConfigMap) and the stream (another replica applied one),
 * and tells its listeners, so pools and vSwitch choice follow a change without a restart.
 */
export class ClusterConfigService {
  private readonly log = new Logger(ClusterConfigService.name);
  private loaded: LoadedEniConfig;
  /** What this process's own source said last: only an edit of it is applied, never a stale copy. */
  private sourceSha: string;
  private version = 0;
  private readonly listeners = new Set<(config: EniConfig) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: EventStore,
    initial: LoadedEniConfig,
    private readonly options: ClusterConfigOptions,
  ) {
    this.loaded = initial;
    this.sourceSha = initial.sha256;
  }

  current(): EniConfig {
    return this.loaded.config;
  }

  /** The slice of the config the domain's pool planner and deciders take. */
  poolConfig(): PoolConfig {
    const c = this.loaded.config;
    return {
      minPoolSize: c.minPoolSize,
      maxPoolSize: c.maxPoolSize,
      ipCooldownSeconds: c.ipCooldownMs / 1000,
      vswitchBlockSeconds: c.vswitchBlockMs / 1000,
      vswitchSelectionPolicy: c.vswitchSelectionPolicy,
      idleIpReclaim: {
        afterSeconds: c.idleIpReclaim.afterMs === null ? null : c.idleIpReclaim.afterMs / 1000,
        intervalSeconds: c.idleIpReclaim.intervalMs / 1000,
        batchSize: c.idleIpReclaim.batchSize,
        jitterFactor: c.idleIpReclaim.jitterFactor,
      },
    };
  }

  onChange(listener: (config: EniConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    await this.apply(this.loaded);
    const every = this.options.reloadIntervalMs ?? 10_000;
    if (every > 0) {
      this.timer = setInterval(
        () => void this.follow().catch((e) => this.log.warn(`config follow-up: ${String(e)}`)),
        every,
      );
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  /** Records `next` as the config in force unless it is already the last one recorded. */
  async apply(next: LoadedEniConfig): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.followStream();
      if (this.version > 0 && this.loaded.sha256 === next.sha256) {
        return;
      }
      const data: ConfigApplied['data'] = {
        version: this.version + 1,
        sha256: next.sha256,
        config: next.canonical,
        at: new Date().toISOString(),
      };
      try {
        await this.store.append(CLUSTER_STREAM, this.version, [{ id: randomUUID(), type: 'ConfigApplied', data }], {
          actor: this.options.actor,
        });
        this.version += 1;
        this.adopt(next);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 5) {
          throw error;
        }
      }
    }
  }

  private async follow(): Promise<void> {
    if (this.options.source?.kind === 'file') {
      const fromFile = readEniConfig(this.options.source);
      if (fromFile.sha256 !== this.sourceSha) {
        this.sourceSha = fromFile.sha256;
        this.log.log(`eni-config changed (sha256 ${fromFile.sha256.slice(0, 12)}), applying it`);
        await this.apply(fromFile);
        return;
      }
    }
    await this.followStream();
  }

  /** Adopts what other replicas recorded since we last looked. */
  private async followStream(): Promise<void> {
    const recorded = await this.store.readStream(CLUSTER_STREAM, this.version + 1);
    const last = recorded.filter((e) => e.type === 'ConfigApplied').at(-1);
    this.version = recorded.at(-1)?.streamVersion ?? this.version;
    if (last) {
      const data = last.data as ConfigApplied['data'];
      if (data.sha256 !== this.loaded.sha256) {
        this.adopt(eniConfigFromObject(data.config));
      }
    }
  }

  private adopt(next: LoadedEniConfig): void {
    const changed = next.sha256 !== this.loaded.sha256;
    this.loaded = next;
    if (changed) {
      for (const listener of this.listeners) {
        listener(next.config);
      }
    }
  }
}
