// The seam between the dev cluster's workload (which pods come and go, what the summary says) and how nodes
// and pods are made: over the allocator's gRPC API alone, or as real namespaces through the CNI plugin.
import { type AllocatorClient } from '@ipledger/proto';
import { type RunningEcsSim } from '../../ecs-sim/src/index.js';
import { type PingMatrix } from './cluster-summary.js';
import { type NodePlan } from './cluster-plan.js';
import { type DevPod } from './pod-churn.js';

export interface RunningPod {
  pod: DevPod;
  node: string;
  ip: string;
  eni: string;
}

export interface ClusterDriver {
  /** One line for the summary's title, e.g. `3 nodes as network namespaces`. */
  readonly description: string;
  /** What a pod start measures, e.g. `AllocateIp round trip`. */
  readonly latencyLabel: string;
  readonly client: AllocatorClient;
  readonly ecs: RunningEcsSim;
  readonly allocatorAddr: string;
  readonly metricsAddr: string;
  /** Log files of the processes the driver runs, by name (allocator, agent-<node>). */
  logFiles(): Record<string, string>;
  /** Prometheus endpoints of node agents, by node (none without agents). */
  agentMetrics(): Record<string, string>;
  addNode(plan: NodePlan): Promise<void>;
  /** Gives the pod its network on `node`; throws when it gets no address. */
  startPod(pod: DevPod, node: string): Promise<RunningPod>;
  stopPod(pod: RunningPod): Promise<void>;
  /** Who reaches whom among `pods`; null when pods are not real (no dataplane to ask). */
  reachability(pods: readonly RunningPod[]): Promise<PingMatrix | null>;
  /** Stops what the driver started; bounded, keeps going past failures. */
  stop(): Promise<void>;
  /** Last resort on a forced exit: synchronous, kills and deletes without waiting. */
  forceStop(): void;
}
