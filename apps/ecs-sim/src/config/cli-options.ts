import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ApiName, isApiName } from '../api/api-names.js';
import { type FaultRule } from '../control/fault-injector.js';
import { type CreateInstanceInput } from '../sim/instance-service.js';
import { type VSwitchSpec } from '../sim/sim-world.js';
import { type EcsSimOptions } from './ecs-sim-options.js';
import { type SimRuntimeConfig } from './sim-config.js';

export const DEFAULT_CLI_PORT = 18080;

/** Every flag also reads from ECS_SIM_<NAME> (e.g. --attach-delay-ms ↔ ECS_SIM_ATTACH_DELAY_MS). */
const FLAGS = {
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  region: { type: 'string' },
  seed: { type: 'string' },
  'latency-ms': { type: 'string' },
  'attach-delay-ms': { type: 'string' },
  'detach-delay-ms': { type: 'string' },
  'throttle-window-ms': { type: 'string' },
  throttle: { type: 'string' },
  'fault-rate': { type: 'string' },
  'fault-codes': { type: 'string' },
  'fault-apis': { type: 'string' },
  'attach-failure-rate': { type: 'string' },
  'exhausted-vswitches': { type: 'string' },
  vswitch: { type: 'string', multiple: true },
  instance: { type: 'string', multiple: true },
  fabric: { type: 'string' },
  'vpc-netns': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export const USAGE = `ecs-sim: a local ECS/VPC OpenAPI endpoint for @alicloud/ecs20140526

  --config <file.json>        EcsSimOptions as JSON (flags override it)
  --host <ip> --port <n>      listen address (default 127.0.0.1:${DEFAULT_CLI_PORT}; port 0 = any)
  --region <id>               region id (default cn-hangzhou)
  --vswitch <id:zone:cidr>    a vSwitch (repeat); replaces the default set
  --instance <id:type:vswitch[:netns]>   an instance created at start (repeat)
  --latency-ms <n>            latency added to every call
  --attach-delay-ms <n>       Attaching → InUse (default 50); --detach-delay-ms likewise
  --throttle-window-ms <n>    throttling window (default 60000)
  --throttle <Api=n,...>      calls per window per API (0 = unlimited)
  --fault-rate <0..1> --fault-codes <c1,c2> [--fault-apis <A,B>]   injected faults
  --attach-failure-rate <0..1>   attachments that fail back to Available
  --exhausted-vswitches <id,...> vSwitches answering InvalidVSwitchId.IpNotEnough
  --seed <n>                  fault PRNG seed (default 1)
  --fabric noop|netns         plug ENIs into network namespaces (netns; root) or not (default noop)
  --vpc-netns <name>          name of the vpc namespace of the netns fabric (default ipl-vpc-<random>)
Each flag can also be set as ECS_SIM_<FLAG>, e.g. ECS_SIM_PORT=18080.`;

export interface CliOptions {
  help: boolean;
  options: EcsSimOptions;
  /** The VPC fabric to build (main.ts does, since a fabric is not JSON). */
  fabric: { kind: 'noop' } | { kind: 'netns'; netns?: string };
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  const get = (name: keyof typeof FLAGS): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : env[`ECS_SIM_${name.toUpperCase().replace(/-/g, '_')}`];
  };
  const base = get('config') ? (JSON.parse(readFileSync(get('config') ?? '', 'utf8')) as EcsSimOptions) : {};
  const options: EcsSimOptions = {
    ...base,
    host: get('host') ?? base.host,
    port: num(get('port'), 'port') ?? base.port ?? DEFAULT_CLI_PORT,
    regionId: get('region') ?? base.regionId,
    seed: num(get('seed'), 'seed') ?? base.seed,
    config: { ...base.config, ...runtimePatch(get) },
    faults: { ...base.faults, ...faultPatch(get) },
  };
  const vswitches = values.vswitch ?? listEnv(env.ECS_SIM_VSWITCH);
  if (vswitches.length > 0) {
    options.vswitches = vswitches.map(vswitchFlag);
  }
  const instances = values.instance ?? listEnv(env.ECS_SIM_INSTANCE);
  if (instances.length > 0) {
    options.instances = instances.map(instanceFlag);
  }
  return { help: values.help === true, options, fabric: fabricChoice(get('fabric'), get('vpc-netns')) };
}

function fabricChoice(kind: string | undefined, netns: string | undefined): CliOptions['fabric'] {
  if (kind === undefined || kind === 'noop') {
    return { kind: 'noop' };
  }
  if (kind === 'netns') {
    return { kind: 'netns', netns };
  }
  throw new Error(`--fabric wants noop or netns, got "${kind}"`);
}

function runtimePatch(get: (name: keyof typeof FLAGS) => string | undefined): Partial<SimRuntimeConfig> {
  const patch: Partial<SimRuntimeConfig> = {};
  const set = <K extends keyof SimRuntimeConfig>(key: K, value: SimRuntimeConfig[K] | undefined) => {
    if (value !== undefined) {
      patch[key] = value;
    }
  };
  set('latencyMs', num(get('latency-ms'), 'latency-ms'));
  set('attachDelayMs', num(get('attach-delay-ms'), 'attach-delay-ms'));
  set('detachDelayMs', num(get('detach-delay-ms'), 'detach-delay-ms'));
  set('throttleWindowMs', num(get('throttle-window-ms'), 'throttle-window-ms'));
  const throttle = get('throttle');
  set('throttleLimits', throttle === undefined ? undefined : apiNumbers(throttle));
  return patch;
}

function faultPatch(get: (name: keyof typeof FLAGS) => string | undefined): EcsSimOptions['faults'] {
  const faults: NonNullable<EcsSimOptions['faults']> = {};
  const rate = num(get('fault-rate'), 'fault-rate');
  if (rate !== undefined) {
    const rule: FaultRule = { rate, codes: csv(get('fault-codes') ?? 'Throttling.User,InternalError') };
    const apis = get('fault-apis');
    if (apis !== undefined) {
      rule.apis = csv(apis).map(apiName);
    }
    faults.rules = [rule];
  }
  const attachFailureRate = num(get('attach-failure-rate'), 'attach-failure-rate');
  if (attachFailureRate !== undefined) {
    faults.attachFailureRate = attachFailureRate;
  }
  const exhausted = get('exhausted-vswitches');
  if (exhausted !== undefined) {
    faults.exhaustedVSwitches = csv(exhausted);
  }
  return faults;
}

function vswitchFlag(text: string): VSwitchSpec {
  const [id, zoneId, cidr] = text.split(':');
  if (!id || !zoneId || !cidr) {
    throw new Error(`--vswitch wants id:zone:cidr, got "${text}"`);
  }
  return { id, zoneId, cidr };
}

function instanceFlag(text: string): CreateInstanceInput {
  const [instanceId, instanceType, vswitchId, netns] = text.split(':');
  if (!instanceId || !instanceType || !vswitchId) {
    throw new Error(`--instance wants id:type:vswitch[:netns], got "${text}"`);
  }
  return { instanceId, instanceType, vswitchId, netns: netns ?? null };
}

function apiNumbers(text: string): Partial<Record<ApiName, number>> {
  return Object.fromEntries(
    csv(text).map((pair) => {
      const [name = '', value = ''] = pair.split('=');
      return [apiName(name), num(value, name) ?? 0];
    }),
  );
}

function apiName(text: string): ApiName {
  if (!isApiName(text)) {
    throw new Error(`unknown API "${text}"`);
  }
  return text;
}

function num(text: string | undefined, what: string): number | undefined {
  if (text === undefined || text === '') {
    return undefined;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new Error(`--${what} wants a number, got "${text}"`);
  }
  return value;
}

function csv(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function listEnv(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(/\s+/).filter((s) => s.length > 0);
}
