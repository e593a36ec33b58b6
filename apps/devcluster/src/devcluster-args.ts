// The command line of `npm start` (the dev cluster). Pure: argv and the environment come in, a typed run
// plan or a usage error goes out, so that every rule is unit-tested.
import { parseArgs } from 'node:util';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ipledger_dev';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_NODES = 3;
export const DEFAULT_PODS = 12;
export const MAX_NODES = 10;
export const MAX_PODS = 300;

export interface DevclusterArgs {
  nodes: number;
  /** Pods the cluster keeps running (the churn moves around this figure). */
  pods: number;
  /** Print the summary and exit, instead of churning until Ctrl-C. */
  once: boolean;
  /** Every log line of the children, not only their warnings and errors. */
  verbose: boolean;
  /** The allocator-only simulation even when network namespaces would work. */
  noNetns: boolean;
  databaseUrl: string;
  natsUrl: string;
}

export type DevclusterCommand = { kind: 'help' } | { kind: 'run'; args: DevclusterArgs };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm start -- [options]      (or: node dist/apps/devcluster/src/main.js [options])

Starts a small ipledger cluster on this machine: ecs-sim (a local ECS API), the allocator, and simulated
nodes with pods coming and going. As root, nodes and pods are real network namespaces wired through the
CNI plugin and node agents; otherwise (or with --no-netns) pods are simulated over the allocator's gRPC API.

Options:
  --nodes N     nodes in the cluster (1-${MAX_NODES}, default ${DEFAULT_NODES})
  --pods N      pods kept running across the nodes (1-${MAX_PODS}, default ${DEFAULT_PODS})
  --once        print the summary and exit (a smoke test), instead of churning until Ctrl-C
  --verbose     show every log line of the allocator (and agents), not only warnings and errors
  --no-netns    allocator-only simulation, even when run as root
  -h, --help    this text

Environment:
  DATABASE_URL  Postgres database the run owns; DROPPED AND CREATED AGAIN on every start
                (default ${DEFAULT_DATABASE_URL}; only databases on this machine)
  NATS_URL      NATS server with JetStream (default ${DEFAULT_NATS_URL}); the IPLEDGER stream is reset
`;

type Env = Readonly<Record<string, string | undefined>>;

export function parseDevclusterArgs(argv: readonly string[], env: Env): DevclusterCommand {
  let values: ReturnType<typeof readFlags>;
  try {
    values = readFlags(argv);
  } catch (error) {
    // node:util's messages name the flag ("Unknown option '--nodez'"); keep them, drop its advice.
    throw new UsageError((error as Error).message.split('. To specify')[0]);
  }
  if (values.help) {
    return { kind: 'help' };
  }
  return {
    kind: 'run',
    args: {
      nodes: readCount('--nodes', values.nodes, DEFAULT_NODES, MAX_NODES),
      pods: readCount('--pods', values.pods, DEFAULT_PODS, MAX_PODS),
      once: values.once ?? false,
      verbose: values.verbose ?? false,
      noNetns: values['no-netns'] ?? false,
      databaseUrl: nonEmpty(env.DATABASE_URL) ?? DEFAULT_DATABASE_URL,
      natsUrl: nonEmpty(env.NATS_URL) ?? DEFAULT_NATS_URL,
    },
  };
}

function readFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      nodes: { type: 'string' },
      pods: { type: 'string' },
      once: { type: 'boolean' },
      verbose: { type: 'boolean' },
      'no-netns': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

function readCount(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) {
    return fallback;
  }
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`${flag} wants a whole number from 1 to ${max}, not "${raw}"`);
  }
  return Number(raw);
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();
