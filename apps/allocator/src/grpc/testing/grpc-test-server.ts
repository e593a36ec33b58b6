// Boots the real gRPC edge (Nest microservice, health, reflection) on a free loopback port around fake
// application services, for the edge's specs. Only specs import this file.
import { type INestMicroservice } from '@nestjs/common';
import type * as grpc from '@grpc/grpc-js';
import { freePort } from '@ipledger/testing';
import { AllocatorGrpcModule } from '../allocator-grpc.module.js';
import { GrpcEndpoint } from '../grpc-endpoint.js';
import { startAllocatorGrpc } from '../grpc-microservice.js';
import { FakeApplication, RecordingMetrics } from './fake-application.js';

export interface TestServer {
  app: INestMicroservice;
  address: string;
  fake: FakeApplication;
  metrics: RecordingMetrics;
  endpoint: GrpcEndpoint;
}

export async function startTestServer(
  options: { credentials?: grpc.ServerCredentials; shutdownGraceMs?: number } = {},
): Promise<TestServer> {
  const address = `127.0.0.1:${await freePort()}`;
  const fake = new FakeApplication();
  const metrics = new RecordingMetrics();
  const endpoint = new GrpcEndpoint();
  const module = AllocatorGrpcModule.forRoot({
    application: fake.module() as never,
    endpoint,
    metrics,
    mutualTls: options.credentials !== undefined,
    shutdownGraceMs: options.shutdownGraceMs ?? 1_000,
  });
  const app = await startAllocatorGrpc(module, {
    url: address,
    credentials: options.credentials,
    endpoint,
    logger: false,
  });
  return { app, address, fake, metrics, endpoint };
}
