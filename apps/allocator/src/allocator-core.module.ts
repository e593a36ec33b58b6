import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AllocatorSettings } from '@ipledger/config';
import type { Metrics } from '@ipledger/telemetry';
import { AllocatorRuntime } from './allocator-runtime.js';
import { ALLOCATOR_SETTINGS, METRICS } from './allocator.tokens.js';
import { readCoreKnobs } from './core-knobs.js';
import { ALLOCATION_SERVICE, HISTORY_SERVICE, NODE_SERVICE, POOL_QUERY_SERVICE } from './ports/index.js';

/** Starts the core once every module is initialised; stops it after the gRPC edge has drained. */
@Injectable()
class AllocatorRuntimeLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(AllocatorRuntime) private readonly runtime: AllocatorRuntime) {}

  onApplicationBootstrap(): Promise<void> {
    return this.runtime.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.runtime.stop();
  }
}

const core = (runtime: AllocatorRuntime) => runtime.core;

/**
 * The application core as a Nest module. It builds the AllocatorRuntime from the process-wide settings and
 * metrics (ALLOCATOR_SETTINGS, METRICS: global, see allocator.module.ts) plus the core's own knobs from the
 * environment (core-knobs.ts), and exports the four application-service ports the gRPC edge calls.
 */
@Module({
  providers: [
    {
      provide: AllocatorRuntime,
      useFactory: (settings: AllocatorSettings, metrics: Metrics) =>
        AllocatorRuntime.create({ settings, metrics, knobs: readCoreKnobs(process.env) }),
      inject: [ALLOCATOR_SETTINGS, METRICS],
    },
    {
      provide: ALLOCATION_SERVICE,
      useFactory: (r: AllocatorRuntime) => core(r).allocations,
      inject: [AllocatorRuntime],
    },
    { provide: NODE_SERVICE, useFactory: (r: AllocatorRuntime) => core(r).nodes, inject: [AllocatorRuntime] },
    { provide: POOL_QUERY_SERVICE, useFactory: (r: AllocatorRuntime) => core(r).nodes, inject: [AllocatorRuntime] },
    { provide: HISTORY_SERVICE, useFactory: (r: AllocatorRuntime) => core(r).history, inject: [AllocatorRuntime] },
    AllocatorRuntimeLifecycle,
  ],
  exports: [AllocatorRuntime, ALLOCATION_SERVICE, NODE_SERVICE, POOL_QUERY_SERVICE, HISTORY_SERVICE],
})
export class AllocatorCoreModule {}
