// The allocator process. Order matters: settings are checked first (a bad one stops the process with a
// message naming it, exit status 2, no stack trace); then the OpenTelemetry SDK starts; only then are Nest
// and the allocator's modules imported and started. SIGTERM/SIGINT shut it down gracefully.
import { type AllocatorSettings, ConfigError, loadAllocatorSettings } from '@ipledger/config';
import { JsonLogger, levelsFrom, startTelemetry, TelemetryStartError } from '@ipledger/telemetry';

const EXIT_CONFIG = 2;

function refuseToStart(problems: readonly string[]): never {
  process.stderr.write(`ipledger-allocator: refusing to start:\n${problems.map((p) => `  ${p}\n`).join('')}`);
  process.exit(EXIT_CONFIG);
}

async function main(): Promise<void> {
  let settings: AllocatorSettings;
  try {
    settings = loadAllocatorSettings(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      refuseToStart(error.problems);
    }
    throw error;
  }
  const logger = new JsonLogger('Allocator', { logLevels: levelsFrom('log') });
  for (const warning of settings.eniConfig.warnings) {
    logger.warn(warning);
  }
  const telemetry = await startTelemetry({
    serviceName: 'ipledger-allocator',
    serviceInstanceId: settings.env.replicaId,
    metricsAddr: settings.env.metricsAddr,
  }).catch((error: unknown) => {
    if (error instanceof TelemetryStartError) {
      refuseToStart([`IPLEDGER_METRICS_ADDR: ${error.message}`]);
    }
    throw error;
  });
  const { startAllocator } = await import('./allocator.bootstrap.js');
  try {
    await startAllocator(settings, telemetry, logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      refuseToStart(error.problems);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  new JsonLogger('Allocator').fatal('failed to start', error instanceof Error ? error : new Error(String(error)));
  process.exit(1);
});
