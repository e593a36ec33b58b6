// The agent as a Nest application context (no HTTP server of Nest's own): one provider holds the assembled
// NodeAgent, and the lifecycle hooks start it on bootstrap and stop it on shutdown (SIGTERM via
// enableShutdownHooks), so that the CNI socket is closed and the consumer drained before the process exits.
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Metrics } from '@ipledger/telemetry';
import { type AgentSettings } from './config/agent-settings.js';
import { type AllocatorChannel } from './config/allocator-tls.js';
import { type Logger } from './logging/json-logger.js';
import { NodeAgent } from './node-agent.js';

@Injectable()
export class AgentLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(NodeAgent) private readonly agent: NodeAgent) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.agent.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.stop();
  }
}

@Module({})
export class AgentModule {
  static register(
    settings: AgentSettings,
    channel: AllocatorChannel,
    logger: Logger,
    metrics: Pick<Metrics, 'recordAgentApplyDuration'>,
  ): DynamicModule {
    return {
      module: AgentModule,
      providers: [
        { provide: NodeAgent, useFactory: () => new NodeAgent(settings, channel, logger, metrics) },
        AgentLifecycle,
      ],
      exports: [NodeAgent],
    };
  }
}
