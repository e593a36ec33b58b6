// The production layout for the integration specs: a process that lives INSIDE the node's namespace and
// runs one dataplane call with `hostNetns: null` (no `ip -n` for host operations, sysctls through /proc/sys,
// a NIC moved home through `/proc/<pid>/ns/net` or, on netlink, the adapter's own namespace descriptor), on
// the kernel implementation the request names. The spec bundles this file with esbuild and runs it with
// `ip netns exec <node> node <bundle> '<json request>'`; the reply is one JSON line on stdout.
import { openKernel, type KernelImplementation } from '../../kernel/index.js';
import { type ExclusiveEniPodSpec, type PolicyRoutePodSpec } from '../dataplane.js';
import { EniPreparer } from '../eni-preparer.js';
import { ExclusiveEniDataplane } from '../exclusive-eni.dataplane.js';
import { PolicyRouteDataplane } from '../policy-route.dataplane.js';

export type AgentInNodeRequest = { kernel: KernelImplementation } & (
  | { dataplane: 'policy-route'; action: 'setup' | 'teardown' | 'check'; spec: PolicyRoutePodSpec }
  | { dataplane: 'eni'; action: 'setup' | 'teardown' | 'check'; spec: ExclusiveEniPodSpec }
);

async function handle(request: AgentInNodeRequest): Promise<unknown> {
  const kernel = openKernel(request.kernel, null);
  if (request.dataplane === 'policy-route') {
    const plane = new PolicyRouteDataplane(kernel, new EniPreparer(kernel));
    switch (request.action) {
      case 'setup':
        return plane.setup(request.spec);
      case 'teardown':
        return plane.teardown(request.spec);
      case 'check':
        return plane.check(request.spec);
    }
  }
  const plane = new ExclusiveEniDataplane(kernel);
  switch (request.action) {
    case 'setup':
      return plane.setup(request.spec);
    case 'teardown':
      return plane.teardown(request.spec);
    case 'check':
      return plane.check(request.spec);
  }
}

const argument = process.argv[2];
if (argument !== undefined) {
  handle(JSON.parse(argument) as AgentInNodeRequest).then(
    (reply) => console.log(JSON.stringify({ ok: true, reply: reply ?? null })),
    (error: unknown) => {
      console.log(JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) }));
      process.exitCode = 1;
    },
  );
}
