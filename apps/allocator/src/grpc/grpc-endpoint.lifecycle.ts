// Shutdown order for the gRPC edge. Nest destroys modules from the root down, so this runs before the
// application services it calls are torn down: health first says NOT_SERVING, then running calls drain.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { GRPC_EDGE_OPTIONS, type GrpcEdgeOptions } from './grpc-edge.options.js';
import { GRPC_ENDPOINT, type GrpcEndpoint } from './grpc-endpoint.js';

@Injectable()
export class GrpcEndpointLifecycle implements OnModuleDestroy {
  constructor(
    @Inject(GRPC_ENDPOINT) private readonly endpoint: GrpcEndpoint,
    @Inject(GRPC_EDGE_OPTIONS) private readonly options: GrpcEdgeOptions,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.endpoint.notServing();
    await this.endpoint.drain(this.options.shutdownGraceMs);
  }
}
