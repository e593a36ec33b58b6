import { type CloudCallEvent, EcsCloudAdapter, type EcsCloudAdapterOptions } from '@ipledger/cloud';
import { type EcsSimOptions } from '../config/ecs-sim-options.js';
import { type RunningEcsSim, startEcsSim } from '../start-ecs-sim.js';

export const TEST_TAGS = { 'ipledger.io/cluster': 'it-cluster', 'ipledger.io/creator': 'ipledger-allocator' };
export const SECURITY_GROUPS = ['sg-it-1'];

export interface SimAndAdapter {
  sim: RunningEcsSim;
  cloud: EcsCloudAdapter;
  calls: CloudCallEvent[];
}

/** An in-process ecs-sim and an adapter whose retries and polls are fast enough for tests. */
export async function startSimAndAdapter(
  simOptions: EcsSimOptions = {},
  adapterOptions: Partial<EcsCloudAdapterOptions> = {},
  onCall: (event: CloudCallEvent, sim: RunningEcsSim) => void = () => {},
): Promise<SimAndAdapter> {
  const sim = await startEcsSim(simOptions);
  const calls: CloudCallEvent[] = [];
  const cloud = new EcsCloudAdapter({
    regionId: sim.regionId,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'LTAIintegrationKey', accessKeySecret: 'integrationSecretValue' },
    retry: { maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 200 },
    polling: { initialDelayMs: 20, maxDelayMs: 100, attachTimeoutMs: 10_000, detachTimeoutMs: 10_000 },
    observer: {
      onCall: (event) => {
        calls.push(event);
        onCall(event, sim);
      },
    },
    ...adapterOptions,
  });
  return { sim, cloud, calls };
}

export function newToken(): string {
  return `it-${Math.random().toString(36).slice(2)}-${Date.now()}`;
}
