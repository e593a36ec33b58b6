// Validation shared by both ends of the CNI protocol: the `ipledger-cni` binary checks what the runtime gave
// it (environment and stdin) and the node agent checks the CniAgentRequest it receives. Pure functions; each
// problem names the field and carries the CNI error code the spec assigns to it.
import {
  CNI_SPEC_VERSIONS,
  CniErrorCode,
  type CniAgentRequest,
  type CniCommand,
  type CniK8sArgs,
  type IpledgerNetConf,
} from './cni-agent.js';

/** Why a CNI request is refused: the spec's error code, the field at fault and a message naming it. */
export interface CniProblem {
  code: number;
  field: string;
  msg: string;
  details?: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: CniProblem };

export const CNI_COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC'];

/** Commands that act on one attachment (container id + interface) rather than on the whole network. */
export const ATTACHMENT_COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK'];

/** The first spec version that defines each command (CHECK came with 0.4.0, STATUS and GC with 1.1.0). */
const COMMAND_SINCE: Record<CniCommand, string> = {
  ADD: '0.1.0',
  DEL: '0.1.0',
  CHECK: '0.4.0',
  STATUS: '1.1.0',
  GC: '1.1.0',
};

export const isCniCommand = (value: unknown): value is CniCommand =>
  typeof value === 'string' && (CNI_COMMANDS as readonly string[]).includes(value);

const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** IFNAMSIZ is 16 bytes including the terminating NUL. */
const MAX_IFNAME = 15;
/** sun_path is 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

const problem = (code: number, field: string, msg: string, details?: string): CniProblem =>
  details === undefined ? { code, field, msg: `${field}: ${msg}` } : { code, field, msg: `${field}: ${msg}`, details };

export function checkContainerId(value: string): string | undefined {
  if (value === '') {
    return 'must not be empty';
  }
  return CONTAINER_ID.test(value)
    ? undefined
    : `"${value}" must start with a letter or digit and contain only letters, digits, "_", "." and "-"`;
}

export function checkIfName(value: string): string | undefined {
  if (value === '') {
    return 'must not be empty';
  }
  if (value === '.' || value === '..') {
    return `"${value}" is not a valid interface name`;
  }
  if (Buffer.byteLength(value) > MAX_IFNAME) {
    return `"${value}" is longer than ${MAX_IFNAME} bytes`;
  }
  return /[/:\s]/.test(value) ? `"${value}" must not contain "/", ":" or whitespace` : undefined;
}

export function checkNetnsPath(value: string): string | undefined {
  return value.startsWith('/') ? undefined : `"${value}" must be an absolute path`;
}

/** CNI_ARGS: `KEY=VALUE` pairs separated by ";" (the kubelet passes K8S_POD_NAMESPACE, K8S_POD_NAME, ...). */
export function parseCniArgs(raw: string): Checked<CniK8sArgs> {
  const args: CniK8sArgs = {};
  for (const pair of raw.split(';')) {
    if (pair === '') {
      continue;
    }
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      return { ok: false, problem: problem(CniErrorCode.InvalidEnvironment, 'CNI_ARGS', `"${pair}" is not KEY=VALUE`) };
    }
    args[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { ok: true, value: args };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
}

/** cniVersion: present (7), one we speak (1), and recent enough for the command (1). */
export function checkCniVersion(value: unknown, command: CniCommand): CniProblem | undefined {
  if (typeof value !== 'string' || value === '') {
    return problem(CniErrorCode.InvalidNetworkConfig, 'cniVersion', 'required, a string such as "1.1.0"');
  }
  if (!(CNI_SPEC_VERSIONS as readonly string[]).includes(value)) {
    const supported = JSON.stringify(CNI_SPEC_VERSIONS);
    return problem(
      CniErrorCode.IncompatibleVersion,
      'cniVersion',
      `incompatible CNI version "${value}"`,
      `config is "${value}", plugin supports ${supported}`,
    );
  }
  const since = COMMAND_SINCE[command];
  if (compareVersions(value, since) < 0) {
    return problem(
      CniErrorCode.IncompatibleVersion,
      'cniVersion',
      `config version does not allow ${command}`,
      `${command} needs cniVersion ${since} or later; config is "${value}"`,
    );
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const invalidConfig = (field: string, msg: string): CniProblem =>
  problem(CniErrorCode.InvalidNetworkConfig, field, msg);

function checkIdentity(conf: Record<string, unknown>): CniProblem | undefined {
  if (typeof conf.name !== 'string' || conf.name === '') {
    return invalidConfig('name', 'required, the network name');
  }
  if (!NETWORK_NAME.test(conf.name)) {
    return invalidConfig('name', `"${conf.name}" must start with a letter or digit and contain only [a-zA-Z0-9_.-]`);
  }
  if (typeof conf.type !== 'string' || conf.type === '') {
    return invalidConfig('type', 'required, the plugin type');
  }
  return undefined;
}

function checkAgentSettings(conf: Record<string, unknown>): CniProblem | undefined {
  const { agentSocket, agentTimeoutSeconds } = conf;
  if (agentSocket !== undefined) {
    if (typeof agentSocket !== 'string' || !agentSocket.startsWith('/')) {
      return invalidConfig('agentSocket', 'must be an absolute path to the node agent socket');
    }
    if (Buffer.byteLength(agentSocket) > MAX_SOCKET_PATH) {
      return invalidConfig('agentSocket', `longer than ${MAX_SOCKET_PATH} bytes, the limit of a unix socket path`);
    }
  }
  if (
    agentTimeoutSeconds !== undefined &&
    (typeof agentTimeoutSeconds !== 'number' || !(agentTimeoutSeconds > 0 && agentTimeoutSeconds <= 600))
  ) {
    return invalidConfig('agentTimeoutSeconds', 'must be a number of seconds above 0 and at most 600');
  }
  const { mtu } = conf;
  if (mtu !== undefined && !(Number.isInteger(mtu) && (mtu as number) >= 68 && (mtu as number) <= 65535)) {
    return invalidConfig('mtu', 'must be an integer from 68 to 65535');
  }
  return undefined;
}

const isCount = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;

function checkBandwidth(bandwidth: unknown): CniProblem | undefined {
  const field = 'runtimeConfig.bandwidth';
  if (!isObject(bandwidth)) {
    return invalidConfig(field, 'must be an object');
  }
  for (const key of ['ingressRate', 'ingressBurst', 'egressRate', 'egressBurst']) {
    if (bandwidth[key] !== undefined && !isCount(bandwidth[key])) {
      return invalidConfig(`${field}.${key}`, 'must be a non-negative integer (bits per second, or bits)');
    }
  }
  for (const side of ['ingress', 'egress']) {
    const rate = (bandwidth[`${side}Rate`] as number | undefined) ?? 0;
    const burst = (bandwidth[`${side}Burst`] as number | undefined) ?? 0;
    if (rate > 0 !== burst > 0) {
      return invalidConfig(`${field}.${side}${rate > 0 ? 'Burst' : 'Rate'}`, `${side} rate and burst go together`);
    }
  }
  return undefined;
}

function checkRuntimeConfig(conf: Record<string, unknown>): CniProblem | undefined {
  const { runtimeConfig } = conf;
  if (runtimeConfig === undefined) {
    return undefined;
  }
  if (!isObject(runtimeConfig)) {
    return invalidConfig('runtimeConfig', 'must be an object');
  }
  return runtimeConfig.bandwidth === undefined ? undefined : checkBandwidth(runtimeConfig.bandwidth);
}

function checkList(
  value: unknown,
  field: string,
  required: Record<string, 'string'>,
  optional: Record<string, 'string' | 'number'> = {},
): CniProblem | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    return invalidConfig(field, 'must be an array');
  }
  for (const [i, item] of value.entries()) {
    if (!isObject(item)) {
      return invalidConfig(`${field}[${i}]`, 'must be an object');
    }
    for (const [key, type] of Object.entries({ ...required, ...optional })) {
      const missing = item[key] === undefined;
      if ((missing && key in required) || (!missing && typeof item[key] !== type)) {
        return invalidConfig(`${field}[${i}].${key}`, `${key in required ? 'required, ' : ''}must be a ${type}`);
      }
    }
  }
  return undefined;
}

function checkPrevResult(conf: Record<string, unknown>, command: CniCommand): CniProblem | undefined {
  const { prevResult } = conf;
  if (prevResult === undefined) {
    return command === 'CHECK' ? invalidConfig('prevResult', 'required for CHECK: the result of the ADD') : undefined;
  }
  if (!isObject(prevResult)) {
    return invalidConfig('prevResult', 'must be a CNI result object');
  }
  return (
    checkList(
      prevResult.interfaces,
      'prevResult.interfaces',
      { name: 'string' },
      { mac: 'string', sandbox: 'string' },
    ) ??
    checkList(prevResult.ips, 'prevResult.ips', { address: 'string' }, { gateway: 'string', interface: 'number' }) ??
    checkList(prevResult.routes, 'prevResult.routes', { dst: 'string' }, { gw: 'string' })
  );
}

function checkValidAttachments(conf: Record<string, unknown>, command: CniCommand): CniProblem | undefined {
  const field = 'cni.dev/valid-attachments';
  const value = conf[field];
  if (command !== 'GC') {
    return undefined;
  }
  // Without the list every attachment would look stale; refusing is safer than deleting them all.
  if (value === undefined) {
    return invalidConfig(field, 'required for GC: the attachments the runtime still uses');
  }
  return checkList(value, field, { containerID: 'string', ifname: 'string' });
}

/** The network configuration on stdin, beyond cniVersion (check that first with checkCniVersion). */
export function checkNetConf(conf: Record<string, unknown>, command: CniCommand): CniProblem | undefined {
  return (
    checkIdentity(conf) ??
    checkAgentSettings(conf) ??
    checkRuntimeConfig(conf) ??
    checkPrevResult(conf, command) ??
    checkValidAttachments(conf, command)
  );
}

/** Decodes and checks a network configuration document (stdin of the binary). */
export function decodeNetConf(text: string, command: CniCommand): Checked<IpledgerNetConf> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, problem: problem(CniErrorCode.DecodeFailure, 'stdin', 'not valid JSON', reason) };
  }
  if (!isObject(parsed)) {
    return { ok: false, problem: problem(CniErrorCode.DecodeFailure, 'stdin', 'must be a JSON object') };
  }
  const found = checkCniVersion(parsed.cniVersion, command) ?? checkNetConf(parsed, command);
  return found ? { ok: false, problem: found } : { ok: true, value: parsed as IpledgerNetConf };
}

const W3C_TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

function checkAttachmentFields(raw: Record<string, unknown>, command: CniCommand): CniProblem | undefined {
  const invalidEnv = (field: string, msg: string) => problem(CniErrorCode.InvalidEnvironment, field, msg);
  const { containerId, netns, ifName } = raw;
  if (typeof containerId !== 'string' || typeof netns !== 'string' || typeof ifName !== 'string') {
    const field = typeof containerId !== 'string' ? 'containerId' : typeof netns !== 'string' ? 'netns' : 'ifName';
    return invalidEnv(field, 'must be a string');
  }
  if (!ATTACHMENT_COMMANDS.includes(command)) {
    return undefined;
  }
  const idProblem = checkContainerId(containerId);
  const ifProblem = checkIfName(ifName);
  const netnsProblem =
    netns === '' ? (command === 'DEL' ? undefined : `required for ${command}`) : checkNetnsPath(netns);
  if (idProblem) {
    return invalidEnv('containerId', idProblem);
  }
  if (ifProblem) {
    return invalidEnv('ifName', ifProblem);
  }
  return netnsProblem ? invalidEnv('netns', netnsProblem) : undefined;
}

/** The node agent's check of one request from the binary (the body of POST /v1/cni). */
export function checkAgentRequest(raw: unknown): Checked<CniAgentRequest> {
  const fail = (found: CniProblem): Checked<CniAgentRequest> => ({ ok: false, problem: found });
  if (!isObject(raw)) {
    return fail(problem(CniErrorCode.DecodeFailure, 'body', 'must be a JSON object'));
  }
  if (!isCniCommand(raw.command)) {
    return fail(problem(CniErrorCode.InvalidEnvironment, 'command', `must be one of ${CNI_COMMANDS.join(', ')}`));
  }
  const attachment = checkAttachmentFields(raw, raw.command);
  if (attachment) {
    return fail(attachment);
  }
  const { args, netconf } = raw;
  if (!isObject(args) || Object.values(args).some((v) => typeof v !== 'string')) {
    return fail(problem(CniErrorCode.InvalidEnvironment, 'args', 'must be an object of string values'));
  }
  if (!isObject(netconf)) {
    return fail(invalidConfig('netconf', 'required, the network configuration object'));
  }
  const found = checkCniVersion(netconf.cniVersion, raw.command) ?? checkNetConf(netconf, raw.command);
  if (found) {
    return fail(found);
  }
  // An invalid traceparent is ignored, as W3C Trace Context asks: the agent starts a new trace instead.
  const { command, containerId, netns, ifName, traceparent } = raw as unknown as CniAgentRequest;
  const request: CniAgentRequest = {
    command,
    containerId,
    netns,
    ifName,
    args: args as CniK8sArgs,
    netconf: netconf as IpledgerNetConf,
  };
  if (typeof traceparent === 'string' && W3C_TRACEPARENT.test(traceparent)) {
    request.traceparent = traceparent;
  }
  return { ok: true, value: request };
}
