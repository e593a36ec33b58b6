// Runs the ipledger-cni executable as the kubelet's runtime does: CNI_* variables in a clean environment and
// the network configuration on stdin; stdout is the one JSON document the plugin answers with.
import { runCommand } from './host-commands.js';

export interface CniInvocation {
  bin: string;
  command: string;
  /** CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH...; undefined leaves a variable unset. */
  env: Record<string, string | undefined>;
  /** An object is sent as JSON, a string as is. */
  stdin: object | string;
  timeoutMs?: number;
}

export interface CniOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as JSON, undefined when empty or not JSON. */
  json: unknown;
}

export async function invokeCni(invocation: CniInvocation): Promise<CniOutcome> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  env.CNI_COMMAND = invocation.command;
  for (const [key, value] of Object.entries(invocation.env)) {
    if (value !== undefined) {
      env[key] = value;
    }
  }
  const stdin = typeof invocation.stdin === 'string' ? invocation.stdin : JSON.stringify(invocation.stdin);
  const outcome = await runCommand(invocation.bin, [], {
    input: stdin,
    env,
    timeoutMs: invocation.timeoutMs ?? 90_000,
  });
  let json: unknown;
  try {
    json = outcome.stdout.trim() === '' ? undefined : JSON.parse(outcome.stdout);
  } catch {
    json = undefined;
  }
  return { ...outcome, json };
}
