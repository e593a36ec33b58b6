// ipledger node agent: one per node (a DaemonSet in a cluster, a process per node namespace in the local
// simulation). Telemetry starts first, so the SDK owns the global providers before Nest or anything traced is
// loaded; a bad setting (also an unreadable or wrong TLS file) stops the process with status 2 and one line
// per problem.
import { ConfigError } from '@ipledger/config';
import { JsonLogger, startTelemetry } from '@ipledger/telemetry';
import { parseAgentEnv, type AgentSettings } from './config/agent-settings.js';
import { allocatorChannel, type AllocatorChannel } from './config/allocator-tls.js';
import { KERNEL_ENV, parseKernelChoice } from './kernel/kernel-choice.js';
import { createJsonLogger, parseLogLevel } from './logging/json-logger.js';

function loadSettings(): { settings: AgentSettings; channel: AllocatorChannel } {
  try {
    const settings = parseAgentEnv(process.env);
    // Checked here so that a bad value exits 2 like every other setting; node-agent.ts makes the choice.
    parseKernelChoice(process.env[KERNEL_ENV]);
    return { settings, channel: allocatorChannel(settings) };
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) {
        process.stderr.write(`ipledger-node-agent: ${problem}\n`);
      }
      process.exit(2);
    }
    throw error;
  }
}

const { settings, channel } = loadSettings();
const logger = createJsonLogger(
  { component: 'node-agent', node: settings.nodeName },
  { level: parseLogLevel(process.env.IPLEDGER_LOG_LEVEL) },
);
const telemetry = await startTelemetry({
  serviceName: 'ipledger-node-agent',
  serviceInstanceId: settings.nodeName,
  metricsAddr: settings.metricsAddr,
}).catch((error: unknown) => {
  // e.g. the metrics port is taken: say so in one line (IPLEDGER_METRICS_ADDR), no stack.
  process.stderr.write(`ipledger-node-agent: IPLEDGER_METRICS_ADDR: ${(error as Error).message}\n`);
  process.exit(2);
});
const { NestFactory } = await import('@nestjs/core');
const { AgentModule } = await import('./agent.module.js');
const app = await NestFactory.createApplicationContext(
  AgentModule.register(settings, channel, logger, telemetry.metrics),
  {
    logger: new JsonLogger('node-agent', { logLevels: ['error', 'warn'] }),
  },
);
app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
logger.info('node agent started', {
  mode: settings.mode,
  allocator: settings.allocatorAddr,
  allocatorTransport: channel.description,
  cniSocket: settings.cniSocket,
  hostNetns: settings.hostNetns,
  metrics: telemetry.metricsUrl,
});
process.once('beforeExit', () => void telemetry.shutdown());
