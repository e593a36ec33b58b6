import { setTimeout as sleep } from 'node:timers/promises';
import { type SimServices } from '../api/action-handler.js';
import { ACTION_HANDLERS, CLIENT_TOKEN_APIS } from '../api/action-registry.js';
import { type ApiName, isApiName, MUTATING_APIS } from '../api/api-names.js';
import { type SimRuntimeConfig } from '../config/sim-config.js';
import { type CallCounters } from '../control/call-counters.js';
import { type FaultInjector } from '../control/fault-injector.js';
import { type FixedWindowThrottle } from '../control/fixed-window-throttle.js';
import { type IdempotencyCache } from '../control/idempotency-cache.js';
import { ApiError, apiErrors, injectedError } from '../sim/api-error.js';
import { newRequestId } from '../sim/sim-world.js';
import { type RequestParams } from './request-params.js';

export interface DispatchResult {
  status: number;
  body: Record<string, unknown>;
}

export interface DispatcherDeps {
  sim: SimServices;
  throttle: FixedWindowThrottle;
  faults: FaultInjector;
  counters: CallCounters;
  idempotency: IdempotencyCache;
  config: () => SimRuntimeConfig;
  log: (line: string) => void;
}

/**
 * One OpenAPI call, in the order the cloud would meet it: latency, the per-minute limit, injected faults, the
 * API itself (with ClientToken idempotency), and faults that hit after the change took effect.
 */
export class OpenApiDispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  async dispatch(action: string | undefined, params: RequestParams): Promise<DispatchResult> {
    const requestId = newRequestId();
    if (action === undefined || !isApiName(action)) {
      const error = action === undefined ? apiErrors.missingParameter('Action') : apiErrors.invalidAction(action);
      return failure(requestId, error);
    }
    const { counters, faults } = this.deps;
    counters.bump(action, 'calls');
    const config = this.deps.config();
    const latency = config.latencyByApi[action] ?? config.latencyMs;
    if (latency > 0) {
      await sleep(latency);
    }
    if (!this.deps.throttle.tryAcquire(action)) {
      counters.bump(action, 'throttled');
      return failure(requestId, injectedError('Throttling.User'));
    }
    const before = faults.draw(action, 'before');
    if (before !== null) {
      counters.bump(action, 'faulted');
      return failure(requestId, injectedError(before));
    }
    counters.bump(action, 'accepted');
    return this.process(action, params, requestId);
  }

  private async process(api: ApiName, params: RequestParams, requestId: string): Promise<DispatchResult> {
    const { counters } = this.deps;
    let result: Record<string, unknown>;
    try {
      result = await this.run(api, params);
    } catch (error) {
      counters.bump(api, 'failed');
      if (error instanceof ApiError) {
        return failure(requestId, error);
      }
      this.deps.log(`${api} crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return failure(requestId, injectedError('InternalError'));
    }
    const after = MUTATING_APIS.has(api) ? this.deps.faults.draw(api, 'after') : null;
    if (after !== null) {
      counters.bump(api, 'faulted');
      return failure(requestId, injectedError(after));
    }
    counters.bump(api, 'succeeded');
    return { status: 200, body: { RequestId: requestId, ...result } };
  }

  private async run(api: ApiName, params: RequestParams): Promise<Record<string, unknown>> {
    const handler = ACTION_HANDLERS[api];
    const token = CLIENT_TOKEN_APIS.has(api) ? params.string('ClientToken') : undefined;
    if (token === undefined) {
      return handler(params, this.deps.sim);
    }
    const key = `${api}:${token}`;
    const fingerprint = params.fingerprint();
    const known = this.deps.idempotency.lookup(key, fingerprint);
    if (known === 'mismatch') {
      throw apiErrors.idempotentMismatch();
    }
    if (known !== undefined) {
      return (await known) as Record<string, unknown>;
    }
    const result = (async () => handler(params, this.deps.sim))();
    this.deps.idempotency.remember(key, fingerprint, result);
    return result;
  }
}

function failure(requestId: string, error: ApiError): DispatchResult {
  return {
    status: error.status,
    body: { RequestId: requestId, HostId: 'ecs-sim', Code: error.code, Message: error.message, Recommend: '' },
  };
}
