// ipledger's metric instruments (DESIGN.md §8), created once per process from the SDK's meter. Names carry
// their unit as Prometheus expects; histograms use second-scale buckets.
import { type Meter, type ObservableGauge, type ObservableResult } from '@opentelemetry/api';

export type PoolIpState = 'idle' | 'allocated' | 'cooling' | 'releasing';

export interface PoolIpsSample {
  node: string;
  state: PoolIpState;
  count: number;
}

export interface Metrics {
  /** One AllocateIp call, as the caller saw it; `code` is the gRPC status name (OK, RESOURCE_EXHAUSTED, …). */
  recordAllocateDuration(seconds: number, attributes: { code: string }): void;
  /** One cloud API call; `code` is 'OK' or the cloud's error code. */
  countCloudCall(api: string, code: string): void;
  countCloudThrottled(api: string): void;
  /** Age of the oldest event not yet published to JetStream. */
  setOutboxLag(seconds: number): void;
  /** One event applied to a node's dataplane by its agent. */
  recordAgentApplyDuration(seconds: number, attributes: { event_type: string; outcome: 'ok' | 'error' }): void;
  /** Reports pool sizes at every scrape from `source`; returns the function that stops it. */
  observePoolIps(source: () => Iterable<PoolIpsSample>): () => void;
}

export const METRIC_NAMES = {
  allocateDuration: 'ipledger_allocate_duration_seconds',
  poolIps: 'ipledger_pool_ips',
  cloudCalls: 'ipledger_cloud_calls_total',
  cloudThrottled: 'ipledger_cloud_throttled_total',
  outboxLag: 'ipledger_outbox_lag_seconds',
  agentApplyDuration: 'ipledger_agent_apply_duration_seconds',
} as const;

/** From 1 ms (a warm-pool hit) to a minute (an ENI created and attached under throttling). */
const SECOND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(meter: Meter): Metrics {
  const allocateDuration = meter.createHistogram(METRIC_NAMES.allocateDuration, {
    description: 'Duration of AllocateIp calls, by gRPC status',
    unit: 's',
    advice: { explicitBucketBoundaries: SECOND_BUCKETS },
  });
  const cloudCalls = meter.createCounter(METRIC_NAMES.cloudCalls, {
    description: 'Cloud API calls, by API and result code',
    unit: '{call}',
  });
  const cloudThrottled = meter.createCounter(METRIC_NAMES.cloudThrottled, {
    description: 'Cloud API calls refused with Throttling, by API',
    unit: '{call}',
  });
  const outboxLag = meter.createGauge(METRIC_NAMES.outboxLag, {
    description: 'Age of the oldest event not yet published to JetStream',
    unit: 's',
  });
  const agentApplyDuration = meter.createHistogram(METRIC_NAMES.agentApplyDuration, {
    description: 'Time for a node agent to apply one event to the dataplane',
    unit: 's',
    advice: { explicitBucketBoundaries: SECOND_BUCKETS },
  });
  const poolIps: ObservableGauge = meter.createObservableGauge(METRIC_NAMES.poolIps, {
    description: 'IP addresses in a node pool, by state',
    unit: '{ip}',
  });

  return {
    recordAllocateDuration: (seconds, attributes) => allocateDuration.record(seconds, attributes),
    countCloudCall: (api, code) => cloudCalls.add(1, { api, code }),
    countCloudThrottled: (api) => cloudThrottled.add(1, { api }),
    setOutboxLag: (seconds) => outboxLag.record(seconds),
    recordAgentApplyDuration: (seconds, attributes) => agentApplyDuration.record(seconds, attributes),
    observePoolIps: (source) => {
      const callback = (result: ObservableResult): void => {
        for (const sample of source()) {
          result.observe(sample.count, { node: sample.node, state: sample.state });
        }
      };
      poolIps.addCallback(callback);
      return () => poolIps.removeCallback(callback);
    },
  };
}
