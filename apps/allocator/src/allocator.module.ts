// The allocator's root Nest module. It makes the process-wide objects (settings, metrics) available to
// every module, and mounts the gRPC edge on top of the application module, which provides the edge's ports:
//
//   AllocatorModule
//   ├── AllocatorContextModule (global): ALLOCATOR_SETTINGS, METRICS; flushes telemetry on shutdown
//   └── AllocatorGrpcModule: AllocatorController, filter, interceptor, guard, endpoint lifecycle
//       └── application module: exports ALLOCATION_SERVICE, NODE_SERVICE, POOL_QUERY_SERVICE, HISTORY_SERVICE
import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type AllocatorSettings } from '@ipledger/config';
import { type Telemetry } from '@ipledger/telemetry';
import { ALLOCATOR_SETTINGS, METRICS } from './allocator.tokens.js';
import { AllocatorGrpcModule } from './grpc/allocator-grpc.module.js';
import { type GrpcEndpoint } from './grpc/grpc-endpoint.js';

export interface AllocatorModuleOptions {
  settings: AllocatorSettings;
  /** Its metrics are provided as METRICS; it is shut down (flushed) after every other shutdown hook. */
  telemetry: Pick<Telemetry, 'metrics' | 'shutdown'>;
  endpoint: GrpcEndpoint;
  /** The module that provides and exports the four application-service ports (ports/index.ts). */
  application: NonNullable<ModuleMetadata['imports']>[number];
  /** How long running calls may take to finish on shutdown; default 10 s. */
  shutdownGraceMs?: number;
}

const TELEMETRY = Symbol('TELEMETRY');

@Injectable()
class TelemetryFlush implements OnApplicationShutdown {
  constructor(@Inject(TELEMETRY) private readonly telemetry: Pick<Telemetry, 'shutdown'>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.telemetry.shutdown();
  }
}

@Global()
@Module({})
class AllocatorContextModule {
  static forRoot(settings: AllocatorSettings, telemetry: AllocatorModuleOptions['telemetry']): DynamicModule {
    return {
      module: AllocatorContextModule,
      providers: [
        { provide: ALLOCATOR_SETTINGS, useValue: settings },
        { provide: METRICS, useValue: telemetry.metrics },
        { provide: TELEMETRY, useValue: telemetry },
        TelemetryFlush,
      ],
      exports: [ALLOCATOR_SETTINGS, METRICS],
    };
  }
}

@Module({})
export class AllocatorModule {
  static forRoot(options: AllocatorModuleOptions): DynamicModule {
    return {
      module: AllocatorModule,
      imports: [
        AllocatorContextModule.forRoot(options.settings, options.telemetry),
        AllocatorGrpcModule.forRoot({
          application: options.application,
          endpoint: options.endpoint,
          metrics: options.telemetry.metrics,
          mutualTls: options.settings.env.tls !== null,
          shutdownGraceMs: options.shutdownGraceMs ?? 10_000,
        }),
      ],
    };
  }
}
