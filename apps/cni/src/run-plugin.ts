// One CNI invocation from environment and stdin to the text for stdout and the exit code. Validation happens
// here, before anything is sent; the node agent does the work and answers with the CNI result or error JSON.
import {
  CNI_SPEC_VERSIONS,
  CniErrorCode,
  DEFAULT_CNI_AGENT_TIMEOUT_SECONDS,
  DEFAULT_CNI_SOCKET,
  decodeNetConf,
  type CniAgentRequest,
  type CniCommand,
} from '@ipledger/proto';
import { type AgentReply, type AgentTransport } from './agent-client.js';
import { readCommand, readInvocation, type CniEnv } from './cni-env.js';
import { CniFailure } from './cni-failure.js';
import { newTraceparent } from './traceparent.js';

/** The newest spec version we speak: the version of replies when the config names none we support. */
export const PREFERRED_CNI_VERSION = '1.1.0';

export interface PluginIo {
  env: CniEnv;
  /** The network configuration; rejects on an I/O error. */
  readStdin(): Promise<string>;
  /** VERSION input, or undefined when stdin is a terminal (someone typing the command by hand). */
  readVersionInput(): Promise<string | undefined>;
  send: AgentTransport;
}

export interface PluginOutcome {
  exitCode: 0 | 1;
  stdout: string;
  /** One JSON log line for stderr, on failure only. */
  log?: string;
}

interface Context {
  cniVersion: string;
  command?: string;
  containerId?: string;
  traceparent?: string;
}

export async function runPlugin(io: PluginIo): Promise<PluginOutcome> {
  const context: Context = { cniVersion: PREFERRED_CNI_VERSION };
  try {
    const command = readCommand(io.env);
    context.command = command;
    if (command === 'VERSION') {
      // VERSION input is optional: an unreadable stdin still gets an answer.
      const input = await io.readVersionInput().catch(() => undefined);
      return { exitCode: 0, stdout: versionReply(input) };
    }
    const stdin = await readConfig(io);
    context.cniVersion = declaredVersion(stdin) ?? PREFERRED_CNI_VERSION;
    const invocation = readInvocation(io.env, command);
    context.containerId = invocation.containerId;
    const netconf = decodeNetConf(stdin, command);
    if (!netconf.ok) {
      throw CniFailure.of(netconf.problem);
    }
    const { path: _unused, ...fields } = invocation;
    const request: CniAgentRequest = { ...fields, netconf: netconf.value, traceparent: newTraceparent() };
    context.traceparent = request.traceparent;
    return await callAgent(io.send, request, context);
  } catch (err) {
    return failed(err, context);
  }
}

const SEMVER = /^\d+\.\d+\.\d+$/;

/** Spec: VERSION answers with the cniVersion it was given and the versions it supports. */
function versionReply(input: string | undefined): string {
  let cniVersion = PREFERRED_CNI_VERSION;
  try {
    const given = (JSON.parse(input ?? '{}') as { cniVersion?: unknown }).cniVersion;
    if (typeof given === 'string' && SEMVER.test(given)) {
      cniVersion = given;
    }
  } catch {
    // VERSION input is optional; a runtime that sends none gets our preferred version.
  }
  return JSON.stringify({ cniVersion, supportedVersions: CNI_SPEC_VERSIONS });
}

async function readConfig(io: PluginIo): Promise<string> {
  try {
    return await io.readStdin();
  } catch (err) {
    throw new CniFailure(CniErrorCode.IoFailure, 'stdin: could not read the network configuration', String(err));
  }
}

/** The config's cniVersion if we speak it, so that even an environment error answers in that version. */
function declaredVersion(stdin: string): string | undefined {
  try {
    const version = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return (CNI_SPEC_VERSIONS as readonly unknown[]).includes(version) ? (version as string) : undefined;
  } catch {
    return undefined;
  }
}

async function callAgent(send: AgentTransport, request: CniAgentRequest, context: Context): Promise<PluginOutcome> {
  const socket = request.netconf.agentSocket ?? DEFAULT_CNI_SOCKET;
  const timeoutMs = (request.netconf.agentTimeoutSeconds ?? DEFAULT_CNI_AGENT_TIMEOUT_SECONDS) * 1000;
  let reply: AgentReply;
  try {
    reply = await send(socket, request, timeoutMs);
  } catch (err) {
    throw unreachable(err, socket, request.command);
  }
  return interpretReply(reply, request.command, context);
}

const TRANSIENT_SOCKET_ERRORS = new Set(['ENOENT', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EAGAIN']);

/** No agent to talk to: try again later (11); for STATUS that means "not available" (50). */
function unreachable(err: unknown, socket: string, command: CniCommand): CniFailure {
  const errno = (err as { code?: unknown }).code;
  const reason = err instanceof Error ? err.message : String(err);
  const details = `socket ${socket}: ${reason}`;
  if (typeof errno === 'string' && TRANSIENT_SOCKET_ERRORS.has(errno)) {
    return command === 'STATUS'
      ? new CniFailure(CniErrorCode.PluginNotAvailable, 'node agent unreachable', details)
      : new CniFailure(CniErrorCode.TryAgainLater, 'node agent unreachable, try again later', details);
  }
  return new CniFailure(CniErrorCode.IoFailure, 'cannot talk to the node agent', details);
}

function interpretReply(reply: AgentReply, command: CniCommand, context: Context): PluginOutcome {
  const body = parseObject(reply.body);
  if (reply.status === 200) {
    if (command !== 'ADD') {
      return { exitCode: 0, stdout: '' };
    }
    if (body && typeof body.cniVersion === 'string') {
      return { exitCode: 0, stdout: reply.body.trim() };
    }
    throw new CniFailure(CniErrorCode.Internal, 'node agent sent a malformed ADD result', excerpt(reply.body));
  }
  if (body && typeof body.code === 'number' && typeof body.msg === 'string') {
    return { exitCode: 1, stdout: reply.body.trim(), log: logLine(context, body) };
  }
  throw new CniFailure(CniErrorCode.Internal, `node agent replied HTTP ${reply.status}`, excerpt(reply.body));
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const excerpt = (text: string): string => (text.length > 500 ? `${text.slice(0, 500)}...` : text);

function logLine(context: Context, body: object): string {
  return JSON.stringify({ level: 'error', component: 'ipledger-cni', ...context, ...body });
}

function failed(err: unknown, context: Context): PluginOutcome {
  const failure =
    err instanceof CniFailure
      ? err
      : new CniFailure(CniErrorCode.Internal, err instanceof Error ? err.message : String(err));
  const body = failure.toBody(context.cniVersion);
  return { exitCode: 1, stdout: JSON.stringify(body), log: logLine(context, body) };
}
