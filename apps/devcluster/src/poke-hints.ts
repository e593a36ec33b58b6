// How to poke at the running dev cluster from another terminal. Pure.

export interface PokeTargets {
  allocatorAddr: string;
  metricsAddr: string;
  ecsEndpoint: string;
  logDir: string;
  /** An address worth asking the history of (one a pod gave back), if any. */
  sampleIp: string | null;
  /** Agents' metrics endpoints (namespaces mode), by node. */
  agentMetrics: Record<string, string>;
  once: boolean;
}

/** The CLI's own default; any other address must be named with --allocator. */
export const CLI_DEFAULT_ALLOCATOR = '127.0.0.1:50051';

export function pokeHints(targets: PokeTargets): string {
  const flag = targets.allocatorAddr === CLI_DEFAULT_ALLOCATOR ? '' : ` --allocator ${targets.allocatorAddr}`;
  const ip = targets.sampleIp ?? '10.0.1.10';
  const commands: [string, string][] = [
    [`nodes${flag}`, 'nodes, pools, ENIs'],
    [`allocations${flag}`, 'pod → IP, ENI, vSwitch'],
    [`history --ip ${ip}${flag}`, 'who held the address, when'],
  ];
  const width = Math.max(...commands.map(([command]) => command.length));
  const lines = [
    '',
    targets.once ? 'While it runs (without --once), from another terminal:' : 'Poke at it from another terminal:',
    ...commands.map(([command, what]) => `  npm run -s ipledger -- ${command.padEnd(width)}  # ${what}`),
    ...aligned([
      ['allocator gRPC', `${targets.allocatorAddr} (health and reflection on)`],
      ['allocator metrics', `http://${targets.metricsAddr}/metrics (ipledger_* in Prometheus text)`],
      ...Object.entries(targets.agentMetrics).map(([node, url]): [string, string] => [`agent ${node} metrics`, url]),
      ['ecs-sim', `http://${targets.ecsEndpoint} (e.g. curl http://${targets.ecsEndpoint}/admin/calls)`],
      ['logs', targets.logDir],
    ]),
  ];
  if (!targets.once) {
    lines.push('Pods keep coming and going; Ctrl-C stops everything (twice forces it).');
  }
  return lines.join('\n') + '\n';
}

function aligned(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}
