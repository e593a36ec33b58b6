// What the agent does with each event of its node's ledger stream (DESIGN.md §4). The side effect comes first,
// the ack after it; a fault that may pass (allocator unreachable, NIC not visible yet, a kernel hiccup) naks
// with a delay; an event that can never be applied (malformed, another node's) is terminated with the reason.
// Handlers are idempotent, and the last applied stream version is remembered so a redelivery is skipped.
import { DomainError, nodeStream, type LedgerEventType } from '@ipledger/domain';
import { type RecordedEvent } from '@ipledger/event-store';
import { type HandlerResult } from '@ipledger/messaging';
import { isTransient } from '../allocator/allocator-failure.js';
import { type NodeEnis } from '../enis/node-enis.service.js';
import { type Logger } from '../logging/json-logger.js';
import { type PodNetworkService } from '../pods/pod-network.service.js';
import { type AppliedVersionStore } from '../state/applied-version.store.js';

export interface ApplyTimer {
  /** Seconds from the event's recording to the end of its side effect on this node. */
  recordApply(seconds: number, eventType: string, outcome: 'ok' | 'error'): void;
}

export const RETRY_SOON_MS = 1_000;
export const RETRY_LATER_MS = 5_000;

class PoisonEvent extends Error {}

type Data = Record<string, unknown>;

function text(data: Data, key: string): string {
  const value = data[key];
  if (typeof value !== 'string' || value === '') {
    throw new PoisonEvent(`data.${key} missing or not a string`);
  }
  return value;
}

function podOf(data: Data): { namespace: string; name: string; uid: string } {
  const pod = data.pod as Data | undefined;
  if (typeof pod !== 'object' || pod === null) {
    throw new PoisonEvent('data.pod missing');
  }
  return { namespace: text(pod, 'namespace'), name: text(pod, 'name'), uid: text(pod, 'uid') };
}

export class NodeEventHandler {
  private readonly stream: string;

  constructor(
    private readonly node: string,
    private readonly pods: Pick<PodNetworkService, 'releaseRequested'>,
    private readonly enis: Pick<NodeEnis, 'lookAhead' | 'prepare' | 'unprepare'>,
    private readonly applied: Pick<AppliedVersionStore, 'version' | 'record'>,
    private readonly timer: ApplyTimer,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.stream = nodeStream(node);
  }

  readonly handle = async (event: RecordedEvent): Promise<HandlerResult> => {
    if (event.streamId !== this.stream) {
      return { term: `event ${event.id} belongs to stream ${event.streamId}, not ${this.stream}` };
    }
    if (event.streamVersion <= this.applied.version) {
      return { ack: true };
    }
    const data = event.data as Data;
    if (typeof data !== 'object' || data === null) {
      return { term: `event ${event.id} (${event.type}) has no data object` };
    }
    try {
      await this.apply(event.type as LedgerEventType, data);
    } catch (error) {
      return this.failed(event, error);
    }
    await this.applied.record(event.streamVersion);
    this.timer.recordApply(Math.max(0, (this.now() - event.recordedAt.getTime()) / 1000), event.type, 'ok');
    return { ack: true };
  };

  private async apply(type: LedgerEventType, data: Data): Promise<void> {
    switch (type) {
      case 'EniAttached': {
        const outcome = await this.enis.prepare(text(data, 'eniId'));
        this.logger.info('ENI attached', { eniId: data.eniId, outcome });
        return;
      }
      case 'IpReleaseRequested': {
        const request = {
          pod: podOf(data),
          containerId: text(data, 'containerId'),
          ip: text(data, 'ip'),
          reason: typeof data.reason === 'string' ? data.reason : 'requested',
        };
        await this.pods.releaseRequested(request);
        this.logger.info('pod torn down at the allocator’s request', { ...request });
        return;
      }
      case 'EniDetachRequested':
        await this.enis.unprepare(text(data, 'eniId'));
        return;
      case 'EniAttachRequested':
        this.enis.lookAhead(text(data, 'eniId'));
        return;
      case 'NodeRegistered':
      case 'EniCreateRequested':
      case 'EniCreated':
      case 'EniCreateFailed':
      case 'IpsAssigned':
      case 'IpAllocated':
      case 'PodTeardownConfirmed':
      case 'IpReleased':
      case 'IpCooldownEnded':
      case 'IpsUnassignRequested':
      case 'IpsUnassigned':
      case 'EniDetached':
      case 'EniDeleted':
      case 'CloudCallFailed':
      case 'VSwitchBlocked':
      case 'VSwitchCapacityObserved':
      case 'ConfigApplied':
        return;
      default: {
        const _never: never = type;
        throw new PoisonEvent(`unknown event type ${String(_never)}`);
      }
    }
  }

  private failed(event: RecordedEvent, error: unknown): HandlerResult {
    if (error instanceof PoisonEvent) {
      return { term: `event ${event.id} (${event.type}, version ${event.streamVersion}): ${error.message}` };
    }
    this.timer.recordApply(Math.max(0, (this.now() - event.recordedAt.getTime()) / 1000), event.type, 'error');
    const domain = error instanceof DomainError ? error : null;
    const fields = { eventId: event.id, type: event.type, version: event.streamVersion, error };
    if (domain && !isTransient(domain) && domain.code !== 'not-found') {
      // Retrying cannot help (e.g. the allocator refuses the request): log loudly, keep the node's stream going.
      this.logger.error('event cannot be applied; terminated', fields);
      return { term: `event ${event.id} (${event.type}): ${domain.message}` };
    }
    this.logger.warn('event not applied yet; will retry', fields);
    return { nak: domain?.code === 'not-found' ? RETRY_SOON_MS : RETRY_LATER_MS };
  }
}
