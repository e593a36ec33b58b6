import { DEFAULT_INSTANCE_TYPES, InstanceTypeCatalog } from './catalog/instance-type-catalog.js';
import { DEFAULT_REGION_ID, DEFAULT_VPC, DEFAULT_VSWITCHES, type EcsSimOptions } from './config/ecs-sim-options.js';
import { DEFAULT_RUNTIME_CONFIG, type SimRuntimeConfig } from './config/sim-config.js';
import { CallCounters } from './control/call-counters.js';
import { FaultInjector, NO_FAULTS } from './control/fault-injector.js';
import { FixedWindowThrottle } from './control/fixed-window-throttle.js';
import { IdempotencyCache } from './control/idempotency-cache.js';
import { OpenApiDispatcher } from './http/openapi-dispatcher.js';
import { EniLifecycle } from './sim/eni-lifecycle.js';
import { EniService } from './sim/eni-service.js';
import { fabricVSwitch } from './sim/fabric-views.js';
import { InstanceService } from './sim/instance-service.js';
import { IpService } from './sim/ip-service.js';
import { type SimVSwitch } from './sim/sim-model.js';
import { SimWorld, type VSwitchSpec } from './sim/sim-world.js';
import { TransitionScheduler } from './sim/transition-scheduler.js';
import { NoopVpcFabric, type VpcFabric } from './vpc/vpc-fabric.js';

/** Everything one ecs-sim holds, wired together; the HTTP server and the admin helpers both drive it. */
export class EcsSimCore {
  readonly world: SimWorld;
  readonly fabric: VpcFabric;
  readonly scheduler: TransitionScheduler;
  readonly enis: EniService;
  readonly lifecycle: EniLifecycle;
  readonly ips: IpService;
  readonly instances: InstanceService;
  readonly throttle: FixedWindowThrottle;
  readonly faults = new FaultInjector();
  readonly counters = new CallCounters();
  readonly dispatcher: OpenApiDispatcher;
  readonly log: (line: string) => void;
  private runtime: SimRuntimeConfig;

  constructor(options: EcsSimOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`ecs-sim: ${line}\n`));
    this.runtime = { ...DEFAULT_RUNTIME_CONFIG, ...options.config };
    const catalog = new InstanceTypeCatalog([...DEFAULT_INSTANCE_TYPES, ...(options.instanceTypes ?? [])]);
    const vpc = { ...DEFAULT_VPC, ...options.vpc };
    this.world = new SimWorld(options.regionId ?? DEFAULT_REGION_ID, vpc.id, vpc.cidr, catalog);
    this.fabric = options.fabric ?? new NoopVpcFabric();
    this.scheduler = new TransitionScheduler(this.log);
    const now = () => new Date();
    this.enis = new EniService(this.world, now);
    this.lifecycle = new EniLifecycle({
      world: this.world,
      fabric: this.fabric,
      scheduler: this.scheduler,
      timing: () => this.runtime,
      failAttach: () => this.faults.failAttach(),
      log: this.log,
    });
    this.ips = new IpService(this.world, this.fabric, this.log);
    this.instances = new InstanceService(this.world, this.enis, this.lifecycle, this.fabric);
    const clock = options.now ?? Date.now;
    this.throttle = new FixedWindowThrottle(clock, this.runtime.throttleWindowMs, this.runtime.throttleLimits);
    this.faults.configure({ ...NO_FAULTS, ...options.faults, seed: options.seed ?? NO_FAULTS.seed });
    this.dispatcher = new OpenApiDispatcher({
      sim: { world: this.world, enis: this.enis, lifecycle: this.lifecycle, ips: this.ips },
      throttle: this.throttle,
      faults: this.faults,
      counters: this.counters,
      idempotency: new IdempotencyCache(),
      config: () => this.runtime,
      log: this.log,
    });
  }

  /** Creates the configured vSwitches and instances; the fabric learns about every vSwitch first. */
  async populate(options: EcsSimOptions): Promise<void> {
    for (const spec of options.vswitches ?? DEFAULT_VSWITCHES) {
      await this.addVSwitch(spec);
    }
    for (const vswitchId of this.faults.current().exhaustedVSwitches) {
      this.world.requireVSwitch(vswitchId).exhausted = true;
    }
    for (const instance of options.instances ?? []) {
      await this.instances.create(instance);
    }
  }

  async addVSwitch(spec: VSwitchSpec): Promise<SimVSwitch> {
    const vswitch = this.world.addVSwitch(spec, new Date());
    try {
      await this.fabric.addVSwitch(fabricVSwitch(vswitch));
    } catch (error) {
      this.world.vswitches.delete(vswitch.id);
      throw error;
    }
    return vswitch;
  }

  get config(): SimRuntimeConfig {
    return this.runtime;
  }

  setConfig(patch: Partial<SimRuntimeConfig>): SimRuntimeConfig {
    this.runtime = {
      ...this.runtime,
      ...patch,
      // Per-API maps are merged, so that one limit can change without restating the others.
      latencyByApi: { ...this.runtime.latencyByApi, ...patch.latencyByApi },
      throttleLimits: { ...this.runtime.throttleLimits, ...patch.throttleLimits },
    };
    if (patch.throttleLimits !== undefined || patch.throttleWindowMs !== undefined) {
      this.throttle.configure(this.runtime.throttleWindowMs, this.runtime.throttleLimits);
    }
    return this.runtime;
  }

  async close(): Promise<void> {
    this.scheduler.close();
    await this.fabric.close();
  }
}
