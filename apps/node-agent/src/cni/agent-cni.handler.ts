// The node agent's answer to each CNI command (the CniHandler port of the socket server): reads the pod out of
// the request, calls the pod network service, and shapes the result. No CNI codes here: failures are
// DomainErrors, mapped in one place by the socket server.
import { DomainError } from '@ipledger/domain';
import { type CniAgentRequest, type CniK8sArgs, type CniResult, type PodRef } from '@ipledger/proto';
import { type CniHandler, type CniStatusReport } from '../cni-socket/index.js';
import { type PodNetworkService } from '../pods/pod-network.service.js';
import { type AgentReadiness } from './agent-readiness.js';

/** Removes what the node holds for pods the agent has no record of (the repair loop's sweep). */
export interface LeftoverSweeper {
  sweepLeftovers(): Promise<void>;
}

const POD_ARGS = [
  ['K8S_POD_NAMESPACE', 'namespace'],
  ['K8S_POD_NAME', 'name'],
  ['K8S_POD_UID', 'uid'],
] as const;

/** The pod from CNI_ARGS; every missing key is an environment error (CNI code 4) naming it. */
export function podFromArgs(args: CniK8sArgs): PodRef {
  const pod: Partial<PodRef> = {};
  for (const [key, field] of POD_ARGS) {
    const value = args[key];
    if (value === undefined || value === '') {
      throw new DomainError('invalid-argument', `CNI_ARGS: ${key} is required`, { field: `args.${key}` });
    }
    pod[field] = value;
  }
  return pod as PodRef;
}

function optionalPodFromArgs(args: CniK8sArgs): PodRef | undefined {
  try {
    return podFromArgs(args);
  } catch {
    return undefined;
  }
}

export class AgentCniHandler implements CniHandler {
  constructor(
    private readonly pods: PodNetworkService,
    private readonly readiness: AgentReadiness,
    private readonly sweeper: LeftoverSweeper,
  ) {}

  async add(request: CniAgentRequest): Promise<CniResult> {
    const pod = podFromArgs(request.args);
    this.readiness.assertStarted();
    const { netconf } = request;
    const result = await this.pods.add({
      containerId: request.containerId,
      netns: request.netns,
      ifName: request.ifName,
      pod,
      ...(netconf.runtimeConfig?.bandwidth ? { bandwidth: netconf.runtimeConfig.bandwidth } : {}),
      ...(netconf.mtu ? { mtu: netconf.mtu } : {}),
      ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    });
    return { cniVersion: netconf.cniVersion, ...result };
  }

  async del(request: CniAgentRequest): Promise<void> {
    await this.pods.del({
      containerId: request.containerId,
      netns: request.netns,
      ifName: request.ifName,
      pod: optionalPodFromArgs(request.args),
      ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    });
  }

  async check(request: CniAgentRequest): Promise<void> {
    this.readiness.assertStarted();
    await this.pods.check({
      containerId: request.containerId,
      netns: request.netns,
      ifName: request.ifName,
      ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    });
  }

  status(): Promise<CniStatusReport> {
    return this.readiness.status();
  }

  async gc(request: CniAgentRequest): Promise<void> {
    this.readiness.assertStarted();
    const valid = request.netconf['cni.dev/valid-attachments'] ?? [];
    await this.pods.removeAllExcept(new Set(valid.map((a) => a.containerID)), 'cni-gc');
    await this.sweeper.sweepLeftovers();
  }
}
