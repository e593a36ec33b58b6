// Builds and starts the allocator once settings are valid and telemetry runs (main.ts imports this module
// only then, so Nest and everything below it load after the OpenTelemetry SDK started).
import { type INestMicroservice, type LoggerService } from '@nestjs/common';
import { type AllocatorSettings, formatHostPort, toLoggable } from '@ipledger/config';
import { type Telemetry } from '@ipledger/telemetry';
import { AllocatorModule } from './allocator.module.js';
import { AllocatorCoreModule } from './allocator-core.module.js';
import { GrpcEndpoint } from './grpc/grpc-endpoint.js';
import { startAllocatorGrpc } from './grpc/grpc-microservice.js';
import { serverCredentialsFromFiles } from './tls/tls-credentials.js';

export async function startAllocator(
  settings: AllocatorSettings,
  telemetry: Telemetry,
  logger: LoggerService,
): Promise<INestMicroservice> {
  const { env } = settings;
  const credentials = env.tls ? serverCredentialsFromFiles(env.tls) : undefined;
  const endpoint = new GrpcEndpoint();
  logger.log('starting', { settings: toLoggable(env), eniConfigSha256: settings.eniConfig.sha256 }, 'Allocator');
  const module = AllocatorModule.forRoot({
    settings,
    telemetry,
    endpoint,
    application: AllocatorCoreModule,
  });
  const app = await startAllocatorGrpc(module, { url: formatHostPort(env.grpcAddr), credentials, endpoint, logger });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  logger.log(
    `serving ipledger.v1.Allocator on ${formatHostPort(env.grpcAddr)} (${env.tls ? 'mutual TLS' : 'plaintext'})`,
    'Allocator',
  );
  return app;
}
