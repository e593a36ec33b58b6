// Turns the command line into one typed command. Pure: the environment and the clock come in as arguments,
// so that every rule (which flags a command takes, how a pod or a time bound is written) is unit-tested.
import { isIpv4, parseDuration } from '@ipledger/config';
import { UsageError } from './cli-error.js';

export const DEFAULT_ALLOCATOR_ADDR = '127.0.0.1:50051';
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface TlsPaths {
  cert: string;
  key: string;
  ca: string;
  /** The name the allocator's certificate must carry when not the host of --allocator; null: that host. */
  serverName: string | null;
  /** Where each path came from (`--cert` or IPLEDGER_ALLOCATOR_TLS_CERT ...), for error messages. */
  sources: Record<'cert' | 'key' | 'ca', string>;
}

/**
 * The environment variables behind the TLS flags: the node agent's names, so that one set of exported
 * variables serves both. A flag wins over its variable.
 */
const TLS_ENV: Record<'cert' | 'key' | 'ca' | 'tls-server-name', string> = {
  cert: 'IPLEDGER_ALLOCATOR_TLS_CERT',
  key: 'IPLEDGER_ALLOCATOR_TLS_KEY',
  ca: 'IPLEDGER_ALLOCATOR_TLS_CA',
  'tls-server-name': 'IPLEDGER_ALLOCATOR_TLS_SERVER_NAME',
};

export interface GlobalOptions {
  allocator: string;
  /** Null: plaintext gRPC. */
  tls: TlsPaths | null;
  json: boolean;
  timeoutMs: number;
}

export interface PodSelector {
  namespace: string;
  name: string;
  /** Only `history` accepts a uid (ns/name/uid): a pod name is reused by every StatefulSet incarnation. */
  uid: string | null;
}

export type Target =
  | { kind: 'ip'; ip: string }
  | { kind: 'pod'; pod: PodSelector }
  | { kind: 'node'; node: string }
  | { kind: 'eni'; eni: string };

export type CliCommand =
  | { kind: 'help'; topic: CommandName | null }
  | { kind: 'nodes' }
  | { kind: 'node'; name: string }
  | { kind: 'allocations'; node: string | null }
  | { kind: 'allocation'; target: Extract<Target, { kind: 'ip' | 'pod' }> }
  | { kind: 'history'; target: Target; from: string | null; to: string | null }
  | { kind: 'config-check'; file: string };

export type CommandName = Exclude<CliCommand['kind'], 'help'>;

export interface ParsedCli {
  global: GlobalOptions;
  command: CliCommand;
}

const GLOBAL_VALUE_FLAGS = ['allocator', 'cert', 'key', 'ca', 'tls-server-name', 'timeout'] as const;
const GLOBAL_BOOLEAN_FLAGS = ['json', 'help'] as const;

/** The value flags each command takes besides the global ones. */
const COMMAND_FLAGS: Record<CommandName, readonly string[]> = {
  nodes: [],
  node: [],
  allocations: ['node'],
  allocation: ['ip', 'pod'],
  history: ['ip', 'pod', 'node', 'eni', 'from', 'to'],
  'config-check': [],
};

interface Tokens {
  positionals: string[];
  values: Map<string, string>;
  booleans: Set<string>;
}

export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, now: Date) {
  const tokens = tokenize(argv);
  const global = readGlobal(tokens, env);
  const command = readCommand(tokens, now);
  return { global, command } satisfies ParsedCli;
}

function tokenize(argv: readonly string[]): Tokens {
  const tokens: Tokens = { positionals: [], values: new Map(), booleans: new Set() };
  const valueFlags = new Set<string>([...GLOBAL_VALUE_FLAGS, ...Object.values(COMMAND_FLAGS).flat()]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      tokens.booleans.add('help');
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      tokens.positionals.push(arg);
      continue;
    }
    const [name, inline] = splitFlag(arg.slice(2));
    if ((GLOBAL_BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (inline !== undefined) {
        throw new UsageError(`--${name} takes no value`);
      }
      tokens.booleans.add(name);
    } else if (valueFlags.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new UsageError(`--${name} needs a value`);
      }
      if (tokens.values.has(name)) {
        throw new UsageError(`--${name} given twice`);
      }
      tokens.values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return tokens;
}

function splitFlag(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

function readGlobal(tokens: Tokens, env: Readonly<Record<string, string | undefined>>): GlobalOptions {
  const allocator = tokens.values.get('allocator') ?? (env.IPLEDGER_ALLOCATOR_ADDR?.trim() || DEFAULT_ALLOCATOR_ADDR);
  if (!/^[^\s/]+:\d{1,5}$/.test(allocator)) {
    throw new UsageError(`--allocator "${allocator}" is not host:port (e.g. 127.0.0.1:50051)`);
  }
  const timeout = tokens.values.get('timeout');
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) {
    throw new UsageError(`--timeout "${timeout}" is not a duration (e.g. 5s, 500ms)`);
  }
  return { allocator, tls: readTls(tokens, env), json: tokens.booleans.has('json'), timeoutMs };
}

function readTls(tokens: Tokens, env: Readonly<Record<string, string | undefined>>): TlsPaths | null {
  const fromEnv = (name: string): string | undefined => env[name]?.trim() || undefined;
  const source = (flag: keyof typeof TLS_ENV): { value: string; from: string } | null => {
    const value = tokens.values.get(flag);
    if (value !== undefined) {
      return { value, from: `--${flag}` };
    }
    const variable = fromEnv(TLS_ENV[flag]);
    return variable === undefined ? null : { value: variable, from: TLS_ENV[flag] };
  };
  const [cert, key, ca, serverName] = (['cert', 'key', 'ca', 'tls-server-name'] as const).map(source);
  if (cert === null && key === null && ca === null) {
    if (serverName !== null) {
      throw new UsageError(`${serverName.from} is only used with mutual TLS (--cert, --key and --ca)`);
    }
    return null;
  }
  if (cert === null || key === null || ca === null) {
    const missing = (['cert', 'key', 'ca'] as const).filter((_, i) => [cert, key, ca][i] === null);
    const names = missing.map((flag) => `--${flag} (or ${TLS_ENV[flag]})`).join(' and ');
    throw new UsageError(`mutual TLS needs --cert, --key and --ca together: ${names} missing`);
  }
  if (serverName !== null && !/^[A-Za-z0-9]([-.A-Za-z0-9]*[A-Za-z0-9])?$/.test(serverName.value)) {
    throw new UsageError(`${serverName.from} "${serverName.value}" is not a DNS name or IPv4 address`);
  }
  return {
    cert: cert.value,
    key: key.value,
    ca: ca.value,
    serverName: serverName?.value ?? null,
    sources: { cert: cert.from, key: key.from, ca: ca.from },
  };
}

function readCommand(tokens: Tokens, now: Date): CliCommand {
  const [first, ...rest] = tokens.positionals;
  if (tokens.booleans.has('help') || first === undefined || first === 'help') {
    const [topic, ...more] = first === 'help' ? rest : tokens.positionals;
    return { kind: 'help', topic: helpTopic(topic, more) };
  }
  const name = commandName(first, rest);
  const args = name === 'config-check' ? rest.slice(1) : rest;
  checkFlags(name, tokens);
  const flag = (f: string) => tokens.values.get(f) ?? null;
  switch (name) {
    case 'nodes':
      expectPositionals(name, args, 0);
      return { kind: 'nodes' };
    case 'node':
      expectPositionals(name, args, 1);
      return { kind: 'node', name: args[0] };
    case 'allocations':
      expectPositionals(name, args, 0);
      return { kind: 'allocations', node: flag('node') };
    case 'allocation': {
      expectPositionals(name, args, 0);
      const target = readTarget(tokens, ['ip', 'pod'], false) as Extract<Target, { kind: 'ip' | 'pod' }>;
      return { kind: 'allocation', target };
    }
    case 'history': {
      expectPositionals(name, args, 0);
      const from = readTimeBound('from', flag('from'), now);
      const to = readTimeBound('to', flag('to'), now);
      if (from !== null && to !== null && Date.parse(from) >= Date.parse(to)) {
        throw new UsageError('--from must be earlier than --to');
      }
      return { kind: 'history', target: readTarget(tokens, ['ip', 'pod', 'node', 'eni'], true), from, to };
    }
    case 'config-check':
      expectPositionals('config check', args, 1);
      return { kind: 'config-check', file: args[0] };
  }
}

function commandName(first: string, rest: readonly string[]): CommandName {
  if (first === 'config') {
    if (rest[0] === 'check') {
      return 'config-check';
    }
    throw new UsageError(
      `unknown command "${['config', ...rest.slice(0, 1)].join(' ')}" (did you mean "config check <file>"?)`,
    );
  }
  if (first in COMMAND_FLAGS && first !== 'config-check') {
    return first as CommandName;
  }
  throw new UsageError(`unknown command "${first}"`);
}

function helpTopic(first: string | undefined, rest: readonly string[]): CommandName | null {
  if (first === undefined) {
    return null;
  }
  try {
    return commandName(first, first === 'config' ? ['check'] : rest);
  } catch {
    return null;
  }
}

function checkFlags(name: CommandName, tokens: Tokens): void {
  for (const flag of tokens.values.keys()) {
    if (!(GLOBAL_VALUE_FLAGS as readonly string[]).includes(flag) && !COMMAND_FLAGS[name].includes(flag)) {
      throw new UsageError(`"${displayName(name)}" takes no --${flag}`);
    }
  }
}

function expectPositionals(name: string, args: readonly string[], count: number): void {
  if (args.length < count) {
    throw new UsageError(`"${displayName(name)}" needs ${count === 1 ? 'an argument' : `${count} arguments`}`);
  }
  if (args.length > count) {
    throw new UsageError(`"${displayName(name)}": unexpected argument "${args[count]}"`);
  }
}

export function displayName(name: string): string {
  return name === 'config-check' ? 'config check' : name;
}

function readTarget(tokens: Tokens, allowed: readonly Target['kind'][], podUid: boolean): Target {
  const given = allowed.filter((kind) => tokens.values.has(kind));
  if (given.length !== 1) {
    const options = allowed.map((kind) => `--${kind}`).join(', ');
    throw new UsageError(given.length === 0 ? `give one of ${options}` : `give only one of ${options}`);
  }
  const kind = given[0];
  const value = tokens.values.get(kind)!;
  switch (kind) {
    case 'ip':
      if (!isIpv4(value)) {
        throw new UsageError(`--ip "${value}" is not an IPv4 address`);
      }
      return { kind, ip: value };
    case 'pod':
      return { kind, pod: parsePodSelector(value, podUid) };
    case 'node':
    case 'eni':
      if (value.trim() === '') {
        throw new UsageError(`--${kind} needs a value`);
      }
      return kind === 'node' ? { kind, node: value } : { kind, eni: value };
  }
}

export function parsePodSelector(text: string, allowUid: boolean): PodSelector {
  const parts = text.split('/');
  const shape = allowUid ? 'namespace/name or namespace/name/uid' : 'namespace/name';
  if (parts.length < 2 || parts.length > (allowUid ? 3 : 2) || parts.some((part) => part === '')) {
    throw new UsageError(`--pod "${text}" is not ${shape}`);
  }
  return { namespace: parts[0], name: parts[1], uid: parts[2] ?? null };
}

/**
 * A time bound as RFC 3339 (`2026-11-21T06:00:00Z`), a date (`2026-11-21`, midnight UTC), or a duration
 * meaning "that long ago" (`90m`, `2h`): what an operator looking back at an incident types.
 */
export function readTimeBound(flag: string, text: string | null, now: Date): string | null {
  if (text === null) {
    return null;
  }
  const ago = parseDuration(text);
  if (ago !== undefined) {
    return new Date(now.getTime() - ago).toISOString();
  }
  const absolute = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
  const ms = rfc3339.test(absolute) ? Date.parse(absolute) : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--${flag} "${text}" is neither RFC 3339 (2026-11-21T06:00:00Z), a date nor a duration ago (2h)`,
    );
  }
  return new Date(ms).toISOString();
}
