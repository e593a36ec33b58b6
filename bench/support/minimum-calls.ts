// The yardstick of the cloud-calls benchmark: the fewest ECS calls that could give a set of pods addresses.

/** AssignPrivateIpAddresses takes at most this many addresses per call. */
const MAX_IPS_PER_ASSIGN = 10;

export interface MinimumCalls {
  enis: number;
  creates: number;
  attaches: number;
  assigns: number;
  total: number;
}

/**
 * The fewest calls that give `podsPerNode` pods an address on each node: ENIs filled one after another
 * (each carries `ipsPerEni` pod addresses, its primary included, which comes with CreateNetworkInterface),
 * one create and one attach per ENI, and the secondary addresses in assigns of at most 10.
 */
export function minimumCalls(podsPerNode: readonly number[], ipsPerEni: number): MinimumCalls {
  let enis = 0;
  let assigns = 0;
  for (const pods of podsPerNode) {
    for (let left = pods; left > 0; left -= ipsPerEni) {
      enis += 1;
      assigns += Math.ceil((Math.min(left, ipsPerEni) - 1) / MAX_IPS_PER_ASSIGN);
    }
  }
  return { enis, creates: enis, attaches: enis, assigns, total: 2 * enis + assigns };
}
