// The node agent's process settings, read from environment variables. Pure: the caller passes the
// environment. Every bad value is reported at once, naming its variable (ConfigError from @ipledger/config).
import {
  ProblemList,
  formatHostPort,
  ipv4CidrProblem,
  parseDuration,
  parseHostPort,
  type HostPort,
} from '@ipledger/config';
import { DEFAULT_CNI_SOCKET } from '@ipledger/proto';

export type AgentMode = 'eniip' | 'eni';

/** The agent's client side of the allocator's mutual TLS: PEM files, read at start (allocator-tls.ts). */
export interface AllocatorTlsFiles {
  /** Its certificate: subject CN node:<IPLEDGER_NODE_NAME>, signed by the CA the allocator trusts. */
  certFile: string;
  keyFile: string;
  /** The CA that signed the allocator's certificate. */
  caFile: string;
  /** The name the allocator's certificate must carry, when not the host of IPLEDGER_ALLOCATOR_ADDR. */
  serverName: string | null;
}

export interface AgentSettings {
  nodeName: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  mode: AgentMode;
  /** host:port of the allocator's gRPC endpoint. */
  allocatorAddr: string;
  /** Null: plaintext gRPC to the allocator. */
  allocatorTls: AllocatorTlsFiles | null;
  natsServers: string[];
  cniSocket: string;
  /** Simulation only: the named namespace that plays this node; null in production (the agent's own). */
  hostNetns: string | null;
  stateDir: string;
  /** Fallback when an allocation carries no Service CIDR (exclusive-ENI pods route it through the host). */
  serviceCidr: string | null;
  /** The Prometheus endpoint, or null when IPLEDGER_METRICS_ADDR is "off". */
  metricsAddr: HostPort | null;
  /** How often the node is compared with the ledger and repaired. */
  repairIntervalMs: number;
  /** Deadline of each call to the allocator. */
  allocatorTimeoutMs: number;
  /**
   * Test knob (IPLEDGER_TEST_ADD_DELAY, default 0): ADD waits this long after wiring the dataplane and before it
   * records the pod ready, so that a test can crash the agent at that point.
   */
  testAddDelayMs: number;
}

export const AGENT_ENV_DEFAULTS = {
  IPLEDGER_MODE: 'eniip',
  IPLEDGER_ALLOCATOR_ADDR: '127.0.0.1:50051',
  NATS_URL: 'nats://127.0.0.1:4222',
  IPLEDGER_CNI_SOCKET: DEFAULT_CNI_SOCKET,
  IPLEDGER_STATE_DIR: '/var/lib/ipledger',
  IPLEDGER_METRICS_ADDR: '127.0.0.1:9465',
  IPLEDGER_REPAIR_INTERVAL: '1m',
  IPLEDGER_ALLOCATOR_TIMEOUT: '10s',
  IPLEDGER_TEST_ADD_DELAY: '0',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Kubernetes node names: DNS subdomains (lower case, digits, "-" and "."). */
const NODE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const INSTANCE_ID = /^i-[A-Za-z0-9-]{1,64}$/;
const INSTANCE_TYPE = /^ecs\.[a-z0-9-]+\.[a-z0-9-]+$/;
const ZONE = /^[a-z]{2}-[a-z0-9]+(-[a-z0-9]+)+$/;
const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
/** sun_path holds 107 bytes and a NUL. */
const MAX_SOCKET_PATH = 107;

/** Reads the agent's settings; throws ConfigError naming every bad variable. */
export function parseAgentEnv(env: Env): AgentSettings {
  const problems = new ProblemList();
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (name: string, pattern: RegExp, example: string): string => {
    const value = get(name);
    if (value === undefined) {
      problems.add(name, `required, e.g. ${example}`);
      return '';
    }
    if (!pattern.test(value)) {
      problems.add(name, `"${value}" is not valid, e.g. ${example}`);
    }
    return value;
  };
  const settings: AgentSettings = {
    nodeName: required('IPLEDGER_NODE_NAME', NODE_NAME, 'node-1 (a Kubernetes node name)'),
    instanceId: required('IPLEDGER_INSTANCE_ID', INSTANCE_ID, 'i-bp1abc'),
    instanceType: required('IPLEDGER_INSTANCE_TYPE', INSTANCE_TYPE, 'ecs.g7.large'),
    zone: required('IPLEDGER_ZONE', ZONE, 'cn-hangzhou-h'),
    mode: readMode(get('IPLEDGER_MODE') ?? AGENT_ENV_DEFAULTS.IPLEDGER_MODE, problems),
    allocatorAddr: readAddress(
      'IPLEDGER_ALLOCATOR_ADDR',
      get('IPLEDGER_ALLOCATOR_ADDR') ?? AGENT_ENV_DEFAULTS.IPLEDGER_ALLOCATOR_ADDR,
      problems,
    ),
    allocatorTls: readAllocatorTls(get, problems),
    natsServers: readNatsServers(get('NATS_URL') ?? AGENT_ENV_DEFAULTS.NATS_URL, problems),
    cniSocket: readAbsolutePath(
      'IPLEDGER_CNI_SOCKET',
      get('IPLEDGER_CNI_SOCKET') ?? AGENT_ENV_DEFAULTS.IPLEDGER_CNI_SOCKET,
      problems,
      MAX_SOCKET_PATH,
    ),
    hostNetns: readHostNetns(get('IPLEDGER_HOST_NETNS'), problems),
    stateDir: readAbsolutePath(
      'IPLEDGER_STATE_DIR',
      get('IPLEDGER_STATE_DIR') ?? AGENT_ENV_DEFAULTS.IPLEDGER_STATE_DIR,
      problems,
    ),
    serviceCidr: readServiceCidr(get('IPLEDGER_SERVICE_CIDR'), problems),
    metricsAddr: readMetricsAddr(get('IPLEDGER_METRICS_ADDR'), problems),
    repairIntervalMs: readDuration(
      'IPLEDGER_REPAIR_INTERVAL',
      get('IPLEDGER_REPAIR_INTERVAL') ?? AGENT_ENV_DEFAULTS.IPLEDGER_REPAIR_INTERVAL,
      problems,
      100,
    ),
    allocatorTimeoutMs: readDuration(
      'IPLEDGER_ALLOCATOR_TIMEOUT',
      get('IPLEDGER_ALLOCATOR_TIMEOUT') ?? AGENT_ENV_DEFAULTS.IPLEDGER_ALLOCATOR_TIMEOUT,
      problems,
      100,
    ),
    testAddDelayMs: readDuration(
      'IPLEDGER_TEST_ADD_DELAY',
      get('IPLEDGER_TEST_ADD_DELAY') ?? AGENT_ENV_DEFAULTS.IPLEDGER_TEST_ADD_DELAY,
      problems,
      0,
    ),
  };
  problems.throwIfAny();
  return settings;
}

function readMode(value: string, problems: ProblemList): AgentMode {
  if (value === 'eniip' || value === 'eni') {
    return value;
  }
  problems.add('IPLEDGER_MODE', `"${value}" is not a mode this agent serves; use eniip or eni`);
  return 'eniip';
}

function readAddress(name: string, value: string, problems: ProblemList): string {
  const address = parseHostPort(value);
  if (typeof address === 'string') {
    problems.add(name, address);
    return value;
  }
  return formatHostPort(address);
}

const TLS_FILE_VARIABLES = ['IPLEDGER_ALLOCATOR_TLS_CERT', 'IPLEDGER_ALLOCATOR_TLS_KEY', 'IPLEDGER_ALLOCATOR_TLS_CA'];
/** A DNS name (what a certificate's DNS subjectAltName holds) or an IPv4 address. */
const SERVER_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/;

/** All three files or none, as the allocator's own IPLEDGER_TLS_* (the files are read by allocator-tls.ts). */
function readAllocatorTls(get: (name: string) => string | undefined, problems: ProblemList): AllocatorTlsFiles | null {
  const [certFile, keyFile, caFile] = TLS_FILE_VARIABLES.map(get);
  const serverName = get('IPLEDGER_ALLOCATOR_TLS_SERVER_NAME');
  const set = TLS_FILE_VARIABLES.filter((name) => get(name) !== undefined);
  if (set.length === 0) {
    if (serverName !== undefined) {
      problems.add(
        'IPLEDGER_ALLOCATOR_TLS_SERVER_NAME',
        'only used with mutual TLS: set IPLEDGER_ALLOCATOR_TLS_CERT, _KEY and _CA too, or unset it',
      );
    }
    return null;
  }
  if (set.length < TLS_FILE_VARIABLES.length) {
    for (const name of TLS_FILE_VARIABLES.filter((n) => !set.includes(n))) {
      problems.add(
        name,
        `required when ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set (mutual TLS needs all three)`,
      );
    }
    return null;
  }
  if (serverName !== undefined && !SERVER_NAME.test(serverName)) {
    problems.add('IPLEDGER_ALLOCATOR_TLS_SERVER_NAME', `"${serverName}" is not a DNS name or IPv4 address`);
  }
  return { certFile: certFile!, keyFile: keyFile!, caFile: caFile!, serverName: serverName ?? null };
}

function readNatsServers(value: string, problems: ProblemList): string[] {
  const servers = value.split(',').map((server) => server.trim());
  for (const server of servers) {
    const match = /^(nats|tls):\/\/(?:[^@/\s]+@)?([^/\s@]+)$/.exec(server);
    if (!match || typeof parseHostPort(match[2]) === 'string') {
      // The user part may be a token: never echo it.
      problems.add('NATS_URL', `"${server.replace(/\/\/[^@/]+@/, '//…@')}" is not nats://host:port`);
    }
  }
  return servers;
}

function readAbsolutePath(name: string, value: string, problems: ProblemList, maxBytes = 4095): string {
  if (!value.startsWith('/')) {
    problems.add(name, `"${value}" must be an absolute path`);
  } else if (Buffer.byteLength(value) > maxBytes) {
    problems.add(name, `"${value}" is longer than ${maxBytes} bytes`);
  }
  return value;
}

function readHostNetns(value: string | undefined, problems: ProblemList): string | null {
  if (value === undefined) {
    return null;
  }
  if (!NETNS_NAME.test(value)) {
    problems.add('IPLEDGER_HOST_NETNS', `"${value}" is not a namespace name under /run/netns`);
  }
  return value;
}

function readServiceCidr(value: string | undefined, problems: ProblemList): string | null {
  if (value === undefined) {
    return null;
  }
  const problem = ipv4CidrProblem(value);
  if (problem) {
    problems.add('IPLEDGER_SERVICE_CIDR', problem);
  }
  return value;
}

function readMetricsAddr(value: string | undefined, problems: ProblemList): HostPort | null {
  if (value === 'off') {
    return null;
  }
  const address = parseHostPort(value ?? AGENT_ENV_DEFAULTS.IPLEDGER_METRICS_ADDR);
  if (typeof address === 'string') {
    problems.add('IPLEDGER_METRICS_ADDR', address);
    return null;
  }
  return address;
}

function readDuration(name: string, value: string, problems: ProblemList, minMs: number): number {
  const ms = parseDuration(value);
  if (ms === undefined) {
    problems.add(name, `"${value}" is not a duration (e.g. 30s, 1m, 500ms)`);
    return minMs;
  }
  if (ms < minMs) {
    problems.add(name, `${value} is shorter than ${minMs} ms`);
  }
  return ms;
}
