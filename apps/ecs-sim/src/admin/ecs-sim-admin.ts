import { type ApiName } from '../api/api-names.js';
import { type SimRuntimeConfig } from '../config/sim-config.js';
import { type CallCountsByApi } from '../control/call-counters.js';
import { type FaultConfig, NO_FAULTS } from '../control/fault-injector.js';
import { type EcsSimCore } from '../ecs-sim-core.js';
import { AdminError, type CreateInstanceInput } from '../sim/instance-service.js';
import { type VSwitchSpec } from '../sim/sim-world.js';
import {
  type EniState,
  eniState,
  type InstanceState,
  instanceState,
  type SimStateSnapshot,
  snapshot,
  type VSwitchState,
  vswitchState,
} from './state-views.js';

/** Typed, in-process control of a running ecs-sim: what the `/admin` HTTP API offers, without HTTP. */
export class EcsSimAdmin {
  constructor(private readonly core: EcsSimCore) {}

  async createInstance(input: CreateInstanceInput): Promise<InstanceState> {
    const instance = await this.core.instances.create(input);
    return instanceState(this.core.world, instance);
  }

  /** Releases an instance: its secondary ENIs become Available, its primary ENI is deleted. */
  async deleteInstance(instanceId: string): Promise<void> {
    await this.core.instances.delete(instanceId);
  }

  getInstance(instanceId: string): InstanceState | null {
    const instance = this.core.world.instances.get(instanceId);
    return instance ? instanceState(this.core.world, instance) : null;
  }

  getEni(eniId: string): EniState | null {
    const eni = this.core.world.enis.get(eniId);
    return eni ? eniState(eni) : null;
  }

  async addVSwitch(spec: VSwitchSpec): Promise<VSwitchState> {
    return vswitchState(await this.core.addVSwitch(spec));
  }

  /** Replaces the given parts of the fault configuration; a changed seed restarts the fault sequence. */
  setFaults(patch: Partial<FaultConfig>): FaultConfig {
    const next = { ...this.core.faults.current(), ...patch };
    const unknown = next.exhaustedVSwitches.find((id) => !this.core.world.vswitches.has(id));
    if (unknown !== undefined) {
      throw new AdminError(404, `unknown vSwitch ${unknown}`);
    }
    for (const vswitch of this.core.world.vswitches.values()) {
      vswitch.exhausted = next.exhaustedVSwitches.includes(vswitch.id);
    }
    this.core.faults.configure(next);
    return next;
  }

  faults(): FaultConfig {
    return this.core.faults.current();
  }

  clearFaults(): FaultConfig {
    return this.setFaults({ ...NO_FAULTS, seed: this.core.faults.current().seed });
  }

  exhaustVSwitch(vswitchId: string, exhausted = true): FaultConfig {
    const others = this.core.faults.current().exhaustedVSwitches.filter((id) => id !== vswitchId);
    return this.setFaults({ exhaustedVSwitches: exhausted ? [...others, vswitchId] : others });
  }

  setConfig(patch: Partial<SimRuntimeConfig>): SimRuntimeConfig {
    return this.core.setConfig(patch);
  }

  config(): SimRuntimeConfig {
    return this.core.config;
  }

  state(): SimStateSnapshot {
    return snapshot(this.core.world, this.core.scheduler.pending);
  }

  /** Per API: calls, accepted, throttled, faulted, failed, succeeded. */
  callCounts(): CallCountsByApi {
    return this.core.counters.snapshot();
  }

  /** Sum of one counter over all APIs, e.g. every call that reached the cloud logic. */
  totalCalls(field: keyof CallCountsByApi[ApiName] = 'calls'): number {
    return Object.values(this.core.counters.snapshot()).reduce((sum, counts) => sum + counts[field], 0);
  }

  resetCallCounts(): void {
    this.core.counters.reset();
  }

  /** Waits until every attach/detach in flight has completed. */
  async settle(): Promise<void> {
    await this.core.scheduler.settle();
  }
}
