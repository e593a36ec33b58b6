// Creates the Nest gRPC microservice for ipledger.v1.Allocator, with the standard health and reflection
// services, and marks it SERVING once it listens. Used by main.ts and by the edge's integration spec.
import { dirname, resolve } from 'node:path';
import { type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import type * as grpc from '@grpc/grpc-js';
import { type PackageDefinition } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { ALLOCATOR_PACKAGE, ALLOCATOR_PROTO_FILE, PROTO_LOADER_OPTIONS, PROTO_ROOT } from '@ipledger/proto';
import { type GrpcEndpoint } from './grpc-endpoint.js';

const HEALTH_PROTO_FILE = 'health/v1/health.proto';
const HEALTH_PROTO_ROOT = resolve(dirname(healthProtoPath), '../..');

export interface GrpcServerOptions {
  /** host:port to listen on. */
  url: string;
  /** Mutual-TLS server credentials; plaintext when absent. */
  credentials?: grpc.ServerCredentials;
  endpoint: GrpcEndpoint;
}

export function allocatorGrpcOptions({ url, credentials, endpoint }: GrpcServerOptions): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url,
      credentials,
      // grpc.health.v1 is served by grpc-health-check's implementation (added below), not by Nest
      // handlers; listing it here would make Nest register a second, empty Health service.
      package: [ALLOCATOR_PACKAGE],
      protoPath: [ALLOCATOR_PROTO_FILE, HEALTH_PROTO_FILE],
      loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [PROTO_ROOT, HEALTH_PROTO_ROOT] },
      onLoadPackageDefinition: (pkg: PackageDefinition, server: grpc.Server) => endpoint.attach(pkg, server),
    },
  };
}

/** Builds the app around `module`, listens, then reports SERVING. */
export async function startAllocatorGrpc(
  module: Parameters<typeof NestFactory.createMicroservice>[0],
  options: GrpcServerOptions & { logger?: LoggerService | false },
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(module, {
    ...allocatorGrpcOptions(options),
    logger: options.logger,
    // Errors while modules initialise reach the caller (main.ts tells config errors apart) instead of
    // making Nest exit on its own.
    abortOnError: false,
  });
  await app.listen();
  options.endpoint.serving();
  return app;
}
