// Which dataplane a pod uses, and its spec, from the agent's record of it: shared ENIs (`eniip`) use policy
// routing, exclusive ENIs (`eni`) move the ENI into the pod. Teardown works from whatever the record holds,
// also for a pod whose ADD never got past allocation.
import { DomainError } from '@ipledger/domain';
import {
  type Dataplane,
  type DataplaneProblem,
  type EniSpec,
  type ExclusiveEniPodSpec,
  type ExclusiveEniTeardownSpec,
  type PodNetworkResult,
  type PodTeardownSpec,
  type PodLinkSpec,
  type PolicyRouteDataplane,
  type PolicyRoutePodSpec,
} from '../dataplane/index.js';
import { type PodDataplaneMode, type PodRecord, type PodRecordEni } from '../state/pod-record.js';
import { type NodeAddresses } from './node-addresses.js';

/** A record that knows everything a dataplane needs. */
export type ConfiguredPod = PodRecord & { ip: string; mode: PodDataplaneMode; eni: PodRecordEni };

/** What teardown needs; the less a record knows, the more is found from the node itself. */
export type TeardownTarget = Pick<PodRecord, 'containerId' | 'netns' | 'ip' | 'mode' | 'eni'>;

export const isConfigured = (record: PodRecord): record is ConfiguredPod =>
  record.ip !== undefined && record.mode !== undefined && record.eni !== undefined;

/** policy-route also offers setup and teardown in two stages each (docs/node-agent.md, ADD and DEL). */
export type PolicyRoutePlane = Dataplane<PolicyRoutePodSpec, PodTeardownSpec> &
  Pick<PolicyRouteDataplane, 'prepareLinks' | 'completeAddress' | 'isolate' | 'removeLinks'>;
export type ExclusiveEniPlane = Dataplane<ExclusiveEniPodSpec, ExclusiveEniTeardownSpec>;

const eniSpecOf = (eni: PodRecordEni): EniSpec => ({
  mac: eni.mac,
  gateway: eni.gateway,
  vswitchCidr: eni.vswitchCidr,
  primaryIp: eni.primaryIp,
});

export class PodDataplanes {
  constructor(
    private readonly policyRoute: PolicyRoutePlane,
    private readonly exclusiveEni: ExclusiveEniPlane,
    private readonly nodeAddresses: NodeAddresses,
  ) {}

  async setup(pod: ConfiguredPod): Promise<PodNetworkResult> {
    return pod.mode === 'eni'
      ? this.exclusiveEni.setup(await this.exclusiveSpec(pod))
      : this.policyRoute.setup(this.policyRouteSpec(pod));
  }

  async check(pod: ConfiguredPod): Promise<DataplaneProblem[]> {
    return pod.mode === 'eni'
      ? this.exclusiveEni.check(await this.exclusiveSpec(pod))
      : this.policyRoute.check(this.policyRouteSpec(pod));
  }

  /** Stage 1 of a policy-route ADD, while the address is still being allocated. */
  prepareLinks(pod: PodLinkSpec): Promise<void> {
    return this.policyRoute.prepareLinks(pod);
  }

  /** Stage 2 of an ADD: the whole setup, or only what needs the address when `linksReady`. */
  async complete(pod: ConfiguredPod, linksReady: boolean): Promise<PodNetworkResult> {
    if (linksReady && pod.mode === 'eni') {
      // The ledger gave an exclusive ENI after all: its pod gets a different veth.
      await this.removeLinks(pod);
    }
    if (!linksReady || pod.mode === 'eni') {
      return this.setup(pod);
    }
    return this.policyRoute.completeAddress(this.policyRouteSpec(pod));
  }

  /** Whether a pod can be torn down in two stages (address first, devices after DEL answered). */
  static stagedTeardown(pod: TeardownTarget): pod is TeardownTarget & { ip: string } {
    return pod.mode === 'eniip' && pod.ip !== undefined;
  }

  isolate(pod: { containerId: string; ip: string }): Promise<void> {
    return this.policyRoute.isolate(pod);
  }

  removeLinks(pod: { containerId: string }): Promise<void> {
    return this.policyRoute.removeLinks(pod);
  }

  /** Removes whatever of the pod is on the node; succeeds when nothing is. */
  async teardown(pod: TeardownTarget): Promise<void> {
    const netns = pod.netns === '' ? undefined : pod.netns;
    if (pod.mode === 'eni' && pod.eni) {
      await this.exclusiveEni.teardown({ containerId: pod.containerId, netns, ip: pod.ip, eni: { mac: pod.eni.mac } });
      return;
    }
    await this.policyRoute.teardown({ containerId: pod.containerId, netns, ip: pod.ip });
  }

  private policyRouteSpec(pod: ConfiguredPod): PolicyRoutePodSpec {
    return {
      containerId: pod.containerId,
      netns: pod.netns,
      ifName: pod.ifName,
      ip: pod.ip,
      eni: eniSpecOf(pod.eni),
      bandwidth: pod.bandwidth,
      mtu: pod.mtu,
    };
  }

  private async exclusiveSpec(pod: ConfiguredPod): Promise<ExclusiveEniPodSpec> {
    if (!pod.serviceCidr) {
      throw new DomainError(
        'invalid-argument',
        'service CIDR unknown: set service_cidr in the eni-config or IPLEDGER_SERVICE_CIDR on the agent',
        { field: 'serviceCidr' },
      );
    }
    return {
      ...this.policyRouteSpec(pod),
      serviceCidr: pod.serviceCidr,
      nodeIps: await this.nodeAddresses.list(),
    };
  }
}
