// The thin I/O around the pure parsers: reads process.env and the eni-config file, and renders the
// settings for a log line with every secret masked.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type AllocatorEnv, type EniConfigSource, parseAllocatorEnv } from './allocator-env.js';
import { ConfigError } from './config-error.js';
import { type LoadedEniConfig } from './eni-config.js';
import { parseEniConfig } from './eni-config.parser.js';
import { formatHostPort } from './host-port.js';
import { maskUrlCredentials, REDACTED } from './redaction.js';

export interface AllocatorSettings {
  env: AllocatorEnv;
  eniConfig: LoadedEniConfig;
}

/** Everything the allocator needs to start; throws ConfigError naming every bad variable or key. */
export function loadAllocatorSettings(env: NodeJS.ProcessEnv = process.env): AllocatorSettings {
  const fallbackReplicaId = `${hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 50)}-${process.pid}`;
  const allocatorEnv = parseAllocatorEnv(env, fallbackReplicaId);
  return { env: allocatorEnv, eniConfig: readEniConfig(allocatorEnv.eniConfigSource) };
}

/** Reads and validates the eni-config again, e.g. when its file changed. */
export function readEniConfig(source: EniConfigSource): LoadedEniConfig {
  if (source.kind === 'inline') {
    return parseEniConfig(source.json);
  }
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError([`IPLEDGER_ENI_CONFIG_FILE: cannot read ${source.path}: ${reason}`]);
  }
  try {
    return parseEniConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError(error.problems.map((problem) => `${problem} (in ${source.path})`));
    }
    throw error;
  }
}

/** The settings as a log may show them: URL passwords and cloud secrets masked. */
export function toLoggable(env: AllocatorEnv): Record<string, unknown> {
  return {
    databaseUrl: maskUrlCredentials(env.databaseUrl),
    // A NATS URL may carry a bare token as its user part, so the whole user part goes.
    natsServers: env.natsServers.map((server) => server.replace(/\/\/[^@/]+@/, `//${REDACTED}@`)),
    grpcAddr: formatHostPort(env.grpcAddr),
    ecs: env.ecs,
    credentials: env.credentials?.toJSON() ?? null,
    tls: env.tls,
    metricsAddr: env.metricsAddr === null ? 'off' : formatHostPort(env.metricsAddr),
    replicaId: env.replicaId,
    eniConfigSource: env.eniConfigSource.kind === 'file' ? env.eniConfigSource : { kind: 'inline' },
  };
}
