// The gRPC edge as a Nest module. Its host passes the module that provides (and exports) the four
// application-service ports, and the endpoint that owns health, reflection and draining.
import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { type Metrics } from '@ipledger/telemetry';
import { METRICS } from '../allocator.tokens.js';
import { NodeIdentityGuard } from '../tls/node-identity.guard.js';
import { AllocatorController } from './allocator.controller.js';
import { GRPC_EDGE_OPTIONS, type GrpcEdgeOptions } from './grpc-edge.options.js';
import { GRPC_ENDPOINT, type GrpcEndpoint } from './grpc-endpoint.js';
import { GrpcEndpointLifecycle } from './grpc-endpoint.lifecycle.js';
import { GrpcExceptionFilter } from './grpc-exception.filter.js';
import { GrpcTelemetryInterceptor } from './grpc-telemetry.interceptor.js';
import { TracedRpc } from './traced-rpc.js';

export interface AllocatorGrpcModuleOptions extends GrpcEdgeOptions {
  /** Exports ALLOCATION_SERVICE, NODE_SERVICE, POOL_QUERY_SERVICE and HISTORY_SERVICE (ports/index.ts). */
  application: NonNullable<ModuleMetadata['imports']>[number];
  endpoint: GrpcEndpoint;
  metrics: Metrics;
}

@Module({})
export class AllocatorGrpcModule {
  static forRoot({ application, endpoint, metrics, ...edge }: AllocatorGrpcModuleOptions): DynamicModule {
    return {
      module: AllocatorGrpcModule,
      imports: [application],
      controllers: [AllocatorController],
      providers: [
        { provide: GRPC_EDGE_OPTIONS, useValue: edge },
        { provide: GRPC_ENDPOINT, useValue: endpoint },
        { provide: METRICS, useValue: metrics },
        GrpcEndpointLifecycle,
        GrpcExceptionFilter,
        GrpcTelemetryInterceptor,
        NodeIdentityGuard,
        TracedRpc,
      ],
    };
  }
}
