import { API_NAMES, type ApiName } from '../api/api-names.js';
import { type SimRuntimeConfig } from '../config/sim-config.js';
import { type FaultConfig, type FaultRule } from '../control/fault-injector.js';
import { AdminError, type CreateInstanceInput } from '../sim/instance-service.js';
import { type VSwitchSpec } from '../sim/sim-world.js';

// Checks of admin JSON bodies: enough to turn a typo into a 400 instead of a confusing simulator state.

type Json = Record<string, unknown>;

export function asObject(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AdminError(400, 'expected a JSON object');
  }
  return value as Json;
}

function optional<T>(body: Json, key: string, check: (v: unknown) => v is T, what: string): T | undefined {
  const value = body[key];
  if (value === undefined) {
    return undefined;
  }
  if (!check(value)) {
    throw new AdminError(400, `${key} must be ${what}`);
  }
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isApiNames = (v: unknown): v is ApiName[] =>
  isStrings(v) && v.every((name) => (API_NAMES as readonly string[]).includes(name));
const isApiNumbers = (v: unknown): v is Partial<Record<ApiName, number>> =>
  typeof v === 'object' && v !== null && Object.entries(v).every(([k, n]) => isApiNames([k]) && typeof n === 'number');

function required<T>(body: Json, key: string, check: (v: unknown) => v is T, what: string): T {
  const value = optional(body, key, check, what);
  if (value === undefined) {
    throw new AdminError(400, `${key} is required`);
  }
  return value;
}

export function instanceInput(value: unknown): CreateInstanceInput {
  const body = asObject(value);
  return {
    instanceId: optional(body, 'instanceId', isString, 'a string'),
    instanceType: required(body, 'instanceType', isString, 'a string'),
    zone: optional(body, 'zone', isString, 'a string'),
    vswitchId: required(body, 'vswitchId', isString, 'a string'),
    netns: optional(body, 'netns', isString, 'a string') ?? null,
    securityGroupId: optional(body, 'securityGroupId', isString, 'a string'),
  };
}

export function vswitchInput(value: unknown): VSwitchSpec {
  const body = asObject(value);
  return {
    id: required(body, 'id', isString, 'a string'),
    zoneId: required(body, 'zoneId', isString, 'a string'),
    cidr: required(body, 'cidr', isString, 'a CIDR string'),
    name: optional(body, 'name', isString, 'a string'),
  };
}

function faultRule(value: unknown): FaultRule {
  const body = asObject(value);
  const rate = required(body, 'rate', isNumber, 'a number from 0 to 1');
  const phase = optional(
    body,
    'phase',
    (v): v is 'before' | 'after' => v === 'before' || v === 'after',
    '"before" or "after"',
  );
  return {
    apis: optional(body, 'apis', isApiNames, 'a list of API names'),
    rate: Math.min(1, rate),
    codes: required(body, 'codes', isStrings, 'a list of error codes'),
    phase,
  };
}

/** Either a full patch (`rules`, `exhaustedVSwitches`, ...) or one rule in short form (`rate`, `codes`). */
export function faultsPatch(value: unknown): Partial<FaultConfig> {
  const body = asObject(value);
  const patch: Partial<FaultConfig> = {};
  if (body.rate !== undefined) {
    patch.rules = [faultRule(body)];
  } else if (body.rules !== undefined) {
    patch.rules = required(body, 'rules', Array.isArray, 'a list of rules').map(faultRule);
  }
  patch.exhaustedVSwitches = optional(body, 'exhaustedVSwitches', isStrings, 'a list of vSwitch ids');
  patch.attachFailureRate = optional(body, 'attachFailureRate', isNumber, 'a number from 0 to 1');
  patch.seed = optional(body, 'seed', isNumber, 'a number');
  return withoutUndefined(patch);
}

export function configPatch(value: unknown): Partial<SimRuntimeConfig> {
  const body = asObject(value);
  return withoutUndefined({
    latencyMs: optional(body, 'latencyMs', isNumber, 'a number'),
    latencyByApi: optional(body, 'latencyByApi', isApiNumbers, 'an object of API name → ms'),
    attachDelayMs: optional(body, 'attachDelayMs', isNumber, 'a number'),
    detachDelayMs: optional(body, 'detachDelayMs', isNumber, 'a number'),
    throttleWindowMs: optional(body, 'throttleWindowMs', (v): v is number => isNumber(v) && v > 0, 'a positive number'),
    throttleLimits: optional(body, 'throttleLimits', isApiNumbers, 'an object of API name → calls per window'),
  });
}

export function exhaustFlag(value: unknown): boolean {
  return optional(asObject(value ?? {}), 'exhausted', isBoolean, 'a boolean') ?? true;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
