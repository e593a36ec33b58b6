// One CNI call as the runtime makes it: the network configuration the cluster's nodes use (the agent's socket
// in `agentSocket`) and the CNI_* variables of the pod's attachment.
import { dirname } from 'node:path';
import { type CniInvocation } from './cni-invocation.js';
import { type CniCallOptions, type PodAttachment } from './cluster-types.js';

export const CNI_NETWORK_NAME = 'ipledger';

export function cniCall(
  socket: string,
  cniBin: string,
  pod: PodAttachment | null,
  options: CniCallOptions,
): Pick<CniInvocation, 'env' | 'stdin'> {
  const netconf: Record<string, unknown> = {
    cniVersion: options.cniVersion ?? '1.1.0',
    name: CNI_NETWORK_NAME,
    type: 'ipledger-cni',
    agentSocket: socket,
    ...(options.bandwidth ? { runtimeConfig: { bandwidth: options.bandwidth } } : {}),
    ...(options.prevResult ? { prevResult: options.prevResult } : {}),
    ...options.netconf,
  };
  const env: Record<string, string | undefined> = { CNI_PATH: dirname(cniBin) };
  if (pod) {
    env.CNI_CONTAINERID = pod.containerId;
    env.CNI_NETNS = pod.netnsPath;
    env.CNI_IFNAME = pod.ifName;
    env.CNI_ARGS = [
      'IgnoreUnknown=1',
      `K8S_POD_NAMESPACE=${pod.namespace}`,
      `K8S_POD_NAME=${pod.name}`,
      `K8S_POD_UID=${pod.uid}`,
      `K8S_POD_INFRA_CONTAINER_ID=${pod.containerId}`,
    ].join(';');
  }
  return { env: { ...env, ...options.env }, stdin: options.stdin ?? netconf };
}
