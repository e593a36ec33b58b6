// The gRPC server's life outside Nest's view: the standard health service (NOT_SERVING until the app is
// ready, NOT_SERVING again as soon as shutdown starts), reflection, and a bounded drain of in-flight calls.
import type * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { type PackageDefinition } from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import { ALLOCATOR_SERVICE_FULL_NAME } from '@ipledger/proto';

export const GRPC_ENDPOINT = Symbol('GRPC_ENDPOINT');

export class GrpcEndpoint {
  private readonly health = new HealthImplementation({
    '': 'NOT_SERVING',
    [ALLOCATOR_SERVICE_FULL_NAME]: 'NOT_SERVING',
  });
  private server: grpc.Server | null = null;

  /** Nest's onLoadPackageDefinition hook: adds health and reflection to the server Nest created. */
  attach(packageDefinition: PackageDefinition, server: grpc.Server): void {
    this.server = server;
    this.health.addToServer(server);
    new ReflectionService(packageDefinition).addToServer(server);
  }

  serving(): void {
    this.setStatus('SERVING');
  }

  notServing(): void {
    this.setStatus('NOT_SERVING');
  }

  /**
   * Stops taking calls and lets running ones finish, for at most `graceMs`; then cuts what is left (health
   * Watch streams never finish on their own).
   */
  async drain(graceMs: number): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private setStatus(status: 'SERVING' | 'NOT_SERVING'): void {
    this.health.setStatus('', status);
    this.health.setStatus(ALLOCATOR_SERVICE_FULL_NAME, status);
  }
}
