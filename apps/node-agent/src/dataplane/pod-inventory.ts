// What pods the node's own namespace shows, recognised by naming convention (pod-naming.ts), so the agent's
// repair loop can diff it against the ledger: compute `podNames(containerId).key` for every allocation the
// ledger places on this node; observed keys outside that set are leftovers to remove, expected keys that are
// missing or fail `check` are set up again.
import { HOST_NS, TABLE_MAIN, type KernelPort, type NetOp, type RuleInfo } from '../kernel/index.js';
import { HOST_VETH_PATTERN, IFB_PATTERN, HOST_VETH_PREFIX, IFB_PREFIX } from './pod-naming.js';
import { RULE_FROM_POD, RULE_TO_POD } from './policy-route.dataplane.js';

export interface ObservedPod {
  /** The 11 hex digits in the pod's device names. */
  key: string;
  /** `ipl<key>` when it exists. */
  hostVeth: string | null;
  /** `ipb<key>` when it exists. */
  ifb: string | null;
  /** Addresses routed to the host veth (main table, /32). */
  ips: string[];
  /** Policy rules (priority 512 / 2048) for those addresses. */
  rules: RuleInfo[];
}

export interface NodePods {
  pods: ObservedPod[];
  /** Pod rules for addresses no veth is routed to any more, e.g. after the pod's netns died unannounced. */
  strayRules: RuleInfo[];
}

const isPodRule = (rule: RuleInfo): boolean => rule.priority === RULE_TO_POD || rule.priority === RULE_FROM_POD;
const ruleIp = (rule: RuleInfo): string | undefined => rule.to ?? rule.from;

export class PodInventory {
  constructor(private readonly kernel: KernelPort) {}

  async list(): Promise<NodePods> {
    const host = await this.kernel.read(HOST_NS, ['links', 'routes', 'rules']);
    const pods = new Map<string, ObservedPod>();
    const podOf = (key: string): ObservedPod => {
      const known = pods.get(key) ?? { key, hostVeth: null, ifb: null, ips: [], rules: [] };
      pods.set(key, known);
      return known;
    };
    for (const link of host.links) {
      const veth = HOST_VETH_PATTERN.exec(link.name)?.[1];
      const ifb = IFB_PATTERN.exec(link.name)?.[1];
      if (veth) {
        podOf(veth).hostVeth = link.name;
      } else if (ifb) {
        podOf(ifb).ifb = link.name;
      }
    }
    const owner = new Map<string, ObservedPod>();
    for (const route of host.routes) {
      const key = route.dev ? HOST_VETH_PATTERN.exec(route.dev)?.[1] : undefined;
      if (key && route.table === TABLE_MAIN) {
        const ip = route.dst.replace(/\/32$/, '');
        podOf(key).ips.push(ip);
        owner.set(ip, podOf(key));
      }
    }
    const strayRules: RuleInfo[] = [];
    for (const rule of host.rules.filter(isPodRule)) {
      const pod = owner.get(ruleIp(rule) ?? '');
      if (pod) {
        pod.rules.push(rule);
      } else {
        strayRules.push(rule);
      }
    }
    return { pods: [...pods.values()], strayRules };
  }

  /** Removes what was observed of a pod the ledger does not know. */
  async remove(pod: ObservedPod): Promise<void> {
    await this.kernel.apply(HOST_NS, [
      ...ruleDeletions(pod.rules),
      { kind: 'link-del', dev: `${HOST_VETH_PREFIX}${pod.key}` },
      { kind: 'link-del', dev: `${IFB_PREFIX}${pod.key}` },
    ]);
  }

  async removeRules(rules: readonly RuleInfo[]): Promise<void> {
    await this.kernel.apply(HOST_NS, ruleDeletions(rules));
  }
}

function ruleDeletions(rules: readonly RuleInfo[]): NetOp[] {
  return rules.map((rule) => ({
    kind: 'rule-del',
    priority: rule.priority,
    from: rule.from,
    to: rule.to,
    table: rule.table,
  }));
}
