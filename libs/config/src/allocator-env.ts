// The allocator's process settings, read from environment variables. Pure: the caller passes the
// environment. Every bad value is reported at once, naming its variable; secrets never appear in messages.
import { ProblemList } from './config-error.js';
import { type HostPort, parseHostPort } from './host-port.js';
import { CloudCredentials } from './cloud-credentials.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export type EniConfigSource = { kind: 'file'; path: string } | { kind: 'inline'; json: string };

export interface EcsSettings {
  /** host:port of ecs-sim (or another OpenAPI endpoint); null: the real Alibaba Cloud endpoint of `region`. */
  endpoint: string | null;
  protocol: 'http' | 'https';
  region: string;
}

export interface AllocatorEnv {
  databaseUrl: string;
  /** NATS_URL split at commas: one or more servers of one cluster. */
  natsServers: string[];
  grpcAddr: HostPort;
  ecs: EcsSettings;
  /** Null when ECS_ENDPOINT points at a simulator and no keys were given. */
  credentials: CloudCredentials | null;
  /** Null: plaintext gRPC (no client authentication). */
  tls: TlsFiles | null;
  /** Null when IPLEDGER_METRICS_ADDR is "off". */
  metricsAddr: HostPort | null;
  replicaId: string;
  eniConfigSource: EniConfigSource;
}

export const ALLOCATOR_ENV_DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ipledger',
  NATS_URL: 'nats://127.0.0.1:4222',
  IPLEDGER_GRPC_ADDR: '127.0.0.1:50051',
  IPLEDGER_METRICS_ADDR: '127.0.0.1:9464',
  ECS_REGION_WITH_ENDPOINT: 'cn-hangzhou',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the allocator's settings; throws ConfigError naming every bad variable. */
export function parseAllocatorEnv(env: Env, fallbackReplicaId: string): AllocatorEnv {
  const problems = new ProblemList();
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const result: AllocatorEnv = {
    databaseUrl: readDatabaseUrl(get('DATABASE_URL') ?? ALLOCATOR_ENV_DEFAULTS.DATABASE_URL, problems),
    natsServers: readNatsServers(get('NATS_URL') ?? ALLOCATOR_ENV_DEFAULTS.NATS_URL, problems),
    grpcAddr: readHostPort(
      'IPLEDGER_GRPC_ADDR',
      get('IPLEDGER_GRPC_ADDR') ?? ALLOCATOR_ENV_DEFAULTS.IPLEDGER_GRPC_ADDR,
      problems,
    ),
    ecs: readEcs(get('ECS_ENDPOINT'), get('ECS_REGION'), problems),
    credentials: null,
    tls: readTls(get('IPLEDGER_TLS_CERT'), get('IPLEDGER_TLS_KEY'), get('IPLEDGER_TLS_CA'), problems),
    metricsAddr: readMetricsAddr(get('IPLEDGER_METRICS_ADDR'), problems),
    replicaId: readReplicaId(get('IPLEDGER_REPLICA_ID') ?? fallbackReplicaId, problems),
    eniConfigSource: readEniConfigSource(get('IPLEDGER_ENI_CONFIG_FILE'), get('IPLEDGER_ENI_CONFIG'), problems),
  };
  result.credentials = readCredentials(
    get('ALIBABA_CLOUD_ACCESS_KEY_ID'),
    env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    get('ECS_ENDPOINT') === undefined,
    problems,
  );
  problems.throwIfAny();
  return result;
}

function readDatabaseUrl(value: string, problems: ProblemList): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
    // The value may hold a password: the message only says what shape is expected.
    problems.add('DATABASE_URL', 'not a postgres:// URL (e.g. postgres://user@host:5432/database)');
  }
  return value;
}

function readNatsServers(value: string, problems: ProblemList): string[] {
  const servers = value.split(',').map((server) => server.trim());
  for (const server of servers) {
    const match = /^(nats|tls):\/\/(?:[^@/\s]+@)?([^/\s@]+)$/.exec(server);
    const address = match ? parseHostPort(match[2]) : 'missing';
    if (typeof address === 'string') {
      problems.add('NATS_URL', `"${server.replace(/\/\/[^@/]+@/, '//…@')}" is not nats://host:port`);
    }
  }
  return servers;
}

function readHostPort(name: string, value: string, problems: ProblemList): HostPort {
  const address = parseHostPort(value);
  if (typeof address === 'string') {
    problems.add(name, address);
    return { host: '', port: 0 };
  }
  return address;
}

function readMetricsAddr(value: string | undefined, problems: ProblemList): HostPort | null {
  if (value === 'off') {
    return null;
  }
  return readHostPort('IPLEDGER_METRICS_ADDR', value ?? ALLOCATOR_ENV_DEFAULTS.IPLEDGER_METRICS_ADDR, problems);
}

const REGION = /^[a-z]{2}-[a-z0-9]+(-[a-z0-9]+)*$/;

function readEcs(endpoint: string | undefined, region: string | undefined, problems: ProblemList): EcsSettings {
  let protocol: 'http' | 'https' = endpoint === undefined ? 'https' : 'http';
  let hostPort: string | null = null;
  if (endpoint !== undefined) {
    const match = /^(?:(https?):\/\/)?([^/]+)\/?$/.exec(endpoint);
    const address = match ? parseHostPort(match[2]) : `"${endpoint}" is not host:port`;
    if (typeof address === 'string') {
      problems.add('ECS_ENDPOINT', address);
    } else if (match) {
      protocol = (match[1] as 'http' | 'https' | undefined) ?? 'http';
      hostPort = match[2];
    }
  }
  if (region === undefined && endpoint === undefined) {
    problems.add('ECS_REGION', 'required when ECS_ENDPOINT is empty (the real cloud), e.g. cn-hangzhou');
  } else if (region !== undefined && !REGION.test(region)) {
    problems.add('ECS_REGION', `"${region}" is not a region id (e.g. cn-hangzhou)`);
  }
  return { endpoint: hostPort, protocol, region: region ?? ALLOCATOR_ENV_DEFAULTS.ECS_REGION_WITH_ENDPOINT };
}

function readCredentials(
  id: string | undefined,
  rawSecret: string | undefined,
  realCloud: boolean,
  problems: ProblemList,
): CloudCredentials | null {
  const secret = rawSecret === '' ? undefined : rawSecret;
  if (id !== undefined && secret !== undefined) {
    return new CloudCredentials(id, secret);
  }
  if (id !== undefined) {
    problems.add('ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'required when ALIBABA_CLOUD_ACCESS_KEY_ID is set');
  } else if (secret !== undefined) {
    problems.add('ALIBABA_CLOUD_ACCESS_KEY_ID', 'required when ALIBABA_CLOUD_ACCESS_KEY_SECRET is set');
  } else if (realCloud) {
    problems.add('ALIBABA_CLOUD_ACCESS_KEY_ID', 'required when ECS_ENDPOINT is empty (the real cloud)');
  }
  return null;
}

function readTls(
  certFile: string | undefined,
  keyFile: string | undefined,
  caFile: string | undefined,
  problems: ProblemList,
): TlsFiles | null {
  const given = { IPLEDGER_TLS_CERT: certFile, IPLEDGER_TLS_KEY: keyFile, IPLEDGER_TLS_CA: caFile };
  const set = Object.entries(given).filter(([, value]) => value !== undefined);
  if (set.length === 0) {
    return null;
  }
  if (set.length < 3) {
    for (const [name, value] of Object.entries(given)) {
      if (value === undefined) {
        problems.add(name, `required when ${set.map(([n]) => n).join(' and ')} is set (mutual TLS needs all three)`);
      }
    }
    return null;
  }
  return { certFile: certFile!, keyFile: keyFile!, caFile: caFile! };
}

const REPLICA_ID = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

function readReplicaId(value: string, problems: ProblemList): string {
  if (!REPLICA_ID.test(value)) {
    problems.add('IPLEDGER_REPLICA_ID', `"${value}" must be 1-63 letters, digits, ".", "_" or "-"`);
  }
  return value;
}

function readEniConfigSource(
  file: string | undefined,
  inline: string | undefined,
  problems: ProblemList,
): EniConfigSource {
  if (file !== undefined && inline !== undefined) {
    problems.add('IPLEDGER_ENI_CONFIG', 'set either IPLEDGER_ENI_CONFIG_FILE or IPLEDGER_ENI_CONFIG, not both');
  } else if (file === undefined && inline === undefined) {
    problems.add(
      'IPLEDGER_ENI_CONFIG_FILE',
      'required: the path of the eni_conf JSON (or put the JSON itself in IPLEDGER_ENI_CONFIG)',
    );
  }
  return file !== undefined ? { kind: 'file', path: file } : { kind: 'inline', json: inline ?? '' };
}
