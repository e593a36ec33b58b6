// The CNI parameters the runtime passes in environment variables. Every problem is code 4 and names the
// variable, as the spec asks.
import {
  ATTACHMENT_COMMANDS,
  CNI_COMMANDS,
  CniErrorCode,
  checkContainerId,
  checkIfName,
  checkNetnsPath,
  isCniCommand,
  parseCniArgs,
  type CniCommand,
  type CniK8sArgs,
} from '@ipledger/proto';
import { CniFailure } from './cni-failure.js';

export type CniEnv = Readonly<Record<string, string | undefined>>;

export type PluginCommand = CniCommand | 'VERSION';

/** What the runtime asked for, from the environment; fields a command does not use are empty. */
export interface CniInvocation {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifName: string;
  args: CniK8sArgs;
  /** CNI_PATH is read but unused: ipledger delegates to no other plugin. */
  path: string;
}

const invalidEnv = (msg: string): CniFailure => new CniFailure(CniErrorCode.InvalidEnvironment, msg);

export function readCommand(env: CniEnv): PluginCommand {
  const command = env.CNI_COMMAND ?? '';
  if (command === 'VERSION' || isCniCommand(command)) {
    return command;
  }
  const expected = [...CNI_COMMANDS, 'VERSION'].join(', ');
  return command === ''
    ? fail(`CNI_COMMAND: required, one of ${expected}`)
    : fail(`CNI_COMMAND: unknown command "${command}", expected one of ${expected}`);
}

function fail(msg: string): never {
  throw invalidEnv(msg);
}

/** Required per spec: ADD and CHECK need all three, DEL may come without CNI_NETNS (the netns is gone). */
function requiredVariables(command: CniCommand): string[] {
  if (!ATTACHMENT_COMMANDS.includes(command)) {
    return [];
  }
  return command === 'DEL' ? ['CNI_CONTAINERID', 'CNI_IFNAME'] : ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'];
}

export function readInvocation(env: CniEnv, command: CniCommand): CniInvocation {
  const missing = requiredVariables(command).filter((name) => !env[name]);
  if (missing.length > 0) {
    fail(`required environment variables missing for ${command}: ${missing.join(', ')}`);
  }
  const args = parseCniArgs(env.CNI_ARGS ?? '');
  if (!args.ok) {
    throw CniFailure.of(args.problem);
  }
  const invocation: CniInvocation = {
    command,
    containerId: '',
    netns: '',
    ifName: '',
    args: args.value,
    path: env.CNI_PATH ?? '',
  };
  if (ATTACHMENT_COMMANDS.includes(command)) {
    invocation.containerId = checked('CNI_CONTAINERID', env.CNI_CONTAINERID!, checkContainerId);
    invocation.ifName = checked('CNI_IFNAME', env.CNI_IFNAME!, checkIfName);
    invocation.netns = env.CNI_NETNS ? checked('CNI_NETNS', env.CNI_NETNS, checkNetnsPath) : '';
  }
  return invocation;
}

function checked(name: string, value: string, check: (value: string) => string | undefined): string {
  const problem = check(value);
  return problem === undefined ? value : fail(`${name}: ${problem}`);
}
