// How the dev cluster's pods come and go, like a few Deployments being scaled and rolled: names in the style
// of `web-3`, a node chosen the way a scheduler spreads pods, and a churn that wanders around the target
// count. Pure: randomness and ids come in from the caller.

export const APPS = ['web', 'api', 'worker', 'cache'] as const;

export interface DevPod {
  namespace: string;
  name: string;
  uid: string;
  containerId: string;
  /** The Deployment the pod belongs to (its ReplicaSet is the owner). */
  app: string;
  owner: { kind: string; name: string; uid: string };
}

export interface NodeLoad {
  name: string;
  maxPods: number;
  running: number;
}

/** Names pods `<app>-<n>` round-robin over the apps; a name is never given twice in one run. */
export class PodNamer {
  private created = 0;
  private readonly perApp = new Map<string, number>();
  private readonly owners = new Map<string, string>();

  constructor(private readonly newId: () => string) {}

  next(namespace = 'default'): DevPod {
    const app = APPS[this.created % APPS.length];
    this.created += 1;
    const index = (this.perApp.get(app) ?? 0) + 1;
    this.perApp.set(app, index);
    let ownerUid = this.owners.get(app);
    if (!ownerUid) {
      ownerUid = this.newId();
      this.owners.set(app, ownerUid);
    }
    return {
      namespace,
      name: `${app}-${index}`,
      uid: this.newId(),
      containerId: this.newId().replaceAll('-', ''),
      app,
      owner: { kind: 'ReplicaSet', name: `${app}-rs`, uid: ownerUid },
    };
  }
}

/** The node with the most room left relative to its size (ties: the first); null when every node is full. */
export function chooseNode(nodes: readonly NodeLoad[]): string | null {
  let best: NodeLoad | null = null;
  for (const node of nodes) {
    if (node.running >= node.maxPods) {
      continue;
    }
    if (!best || node.running / node.maxPods < best.running / best.maxPods) {
      best = node;
    }
  }
  return best?.name ?? null;
}

export type ChurnAction = 'add' | 'remove';

/**
 * One step of churn: back towards the target when the count strayed more than a fifth of it away, otherwise a
 * coin toss, so that the count wanders around the target without drifting off.
 */
export function nextChurnAction(running: number, target: number, random: () => number): ChurnAction {
  const slack = Math.max(1, Math.round(target / 5));
  if (running <= 0 || running < target - slack) {
    return 'add';
  }
  if (running > target + slack) {
    return 'remove';
  }
  return random() < 0.5 ? 'add' : 'remove';
}

/** Picks an element by a random number in [0, 1). */
export function pick<T>(items: readonly T[], random: () => number): T {
  if (items.length === 0) {
    throw new Error('pick from an empty list');
  }
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))];
}
