// How the gRPC edge module is set up by its host (the allocator's root module, or a test).
export interface GrpcEdgeOptions {
  /** True when the endpoint requires client certificates: calls are then checked against their identity. */
  mutualTls: boolean;
  /** How long running calls may take to finish on shutdown before they are cut. */
  shutdownGraceMs: number;
}

export const GRPC_EDGE_OPTIONS = Symbol('GRPC_EDGE_OPTIONS');
