// The node agent assembled: the CNI socket answers from the first moment (STATUS says "starting", ADD asks to
// try again), then the node registers, the node is repaired to match the ledger, ADD opens, the node's
// durable consumer starts, and a repair pass runs on every tick. Each start step retries until it succeeds,
// so an agent started before the allocator or NATS simply waits for them.
import { nodeStream } from '@ipledger/domain';
import { DEFAULT_STREAM_NAME, nodeSubjectFilter, runDurableConsumer, type DurableConsumer } from '@ipledger/messaging';
import { createAllocatorClient, type AllocatorClient } from '@ipledger/proto';
import { type Metrics } from '@ipledger/telemetry';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { allocatorFailure } from './allocator/allocator-failure.js';
import { EniDirectory } from './allocator/eni-directory.js';
import { AgentCniHandler } from './cni/agent-cni.handler.js';
import { AgentReadiness } from './cni/agent-readiness.js';
import { startCniSocketServer, type CniSocketServer } from './cni-socket/index.js';
import { type AgentSettings } from './config/agent-settings.js';
import { type AllocatorChannel } from './config/allocator-tls.js';
import { EniPreparer, ExclusiveEniDataplane, PodInventory, PolicyRouteDataplane } from './dataplane/index.js';
import { NodeEnis } from './enis/node-enis.service.js';
import { NodeEventHandler } from './events/node-event.handler.js';
import { KERNEL_ENV, parseKernelChoice, selectKernel } from './kernel/index.js';
import { type Logger } from './logging/json-logger.js';
import { ContainerLocks } from './pods/container-locks.js';
import { NodeAddresses } from './pods/node-addresses.js';
import { PodDataplanes } from './pods/pod-dataplanes.js';
import { PodNetworkService } from './pods/pod-network.service.js';
import { NodeRepairService } from './repair/node-repair.service.js';
import { AppliedVersionStore } from './state/applied-version.store.js';
import { PodRecordStore } from './state/pod-record.store.js';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

export class NodeAgent {
  private readonly allocator: AllocatorClient;
  private readonly records: PodRecordStore;
  private readonly applied: AppliedVersionStore;
  private readonly readiness: AgentReadiness;
  private readonly repairs: NodeRepairService;
  private readonly handler: NodeEventHandler;
  private readonly cniHandler: AgentCniHandler;
  private readonly pods: PodNetworkService;
  private socket: CniSocketServer | null = null;
  private nats: NatsConnection | null = null;
  private consumer: DurableConsumer | null = null;
  private tick: NodeJS.Timeout | null = null;
  private readonly stopping = new AbortController();
  private startup: Promise<void> | null = null;

  constructor(
    private readonly settings: AgentSettings,
    channel: Pick<AllocatorChannel, 'credentials' | 'tlsServerName'>,
    private readonly logger: Logger,
    metrics: Pick<Metrics, 'recordAgentApplyDuration'>,
  ) {
    const node = settings.nodeName;
    const timeoutMs = settings.allocatorTimeoutMs;
    // Netlink in-process unless koffi cannot load (then `ip -batch` processes); IPLEDGER_KERNEL forces either.
    const { kernel } = selectKernel(
      settings.hostNetns,
      parseKernelChoice(process.env[KERNEL_ENV]),
      logger.child({ component: 'kernel' }),
    );
    const preparer = new EniPreparer(kernel);
    const locks = new ContainerLocks();
    const nodeAddresses = new NodeAddresses(kernel);
    this.allocator = createAllocatorClient(settings.allocatorAddr, {
      credentials: channel.credentials,
      tlsServerName: channel.tlsServerName,
      defaultTimeoutMs: timeoutMs,
    });
    this.records = new PodRecordStore(settings.stateDir);
    this.applied = new AppliedVersionStore(settings.stateDir, nodeStream(node));
    this.readiness = new AgentReadiness(this.allocator, node);
    const directory = new EniDirectory(this.allocator, node, timeoutMs);
    const enis = new NodeEnis(kernel, preparer, directory, settings.mode, logger.child({ component: 'enis' }));
    const dataplanes = new PodDataplanes(
      new PolicyRouteDataplane(kernel, preparer),
      new ExclusiveEniDataplane(kernel),
      nodeAddresses,
    );
    const pods = (this.pods = new PodNetworkService({
      node,
      allocator: this.allocator,
      enis: directory,
      dataplanes,
      records: this.records,
      locks,
      kernel,
      serviceCidr: settings.serviceCidr,
      allocatorTimeoutMs: timeoutMs,
      logger: logger.child({ component: 'pods' }),
      nodeMode: settings.mode,
      testAddDelayMs: settings.testAddDelayMs,
    }));
    this.repairs = new NodeRepairService({
      node,
      allocator: this.allocator,
      records: this.records,
      locks,
      pods,
      dataplanes,
      inventory: new PodInventory(kernel),
      enis,
      nodeAddresses,
      kernel,
      allocatorTimeoutMs: timeoutMs,
      logger: logger.child({ component: 'repair' }),
    });
    const timer = {
      recordApply: (seconds: number, eventType: string, outcome: 'ok' | 'error') =>
        metrics.recordAgentApplyDuration(seconds, { event_type: eventType, outcome }),
    };
    this.handler = new NodeEventHandler(node, pods, enis, this.applied, timer, logger.child({ component: 'events' }));
    this.cniHandler = new AgentCniHandler(pods, this.readiness, this.repairs);
  }

  /** Opens the CNI socket and starts the rest in the background; `ready` resolves once ADD is served. */
  async start(): Promise<void> {
    await this.records.init();
    await this.applied.load();
    this.socket = await startCniSocketServer({
      path: this.settings.cniSocket,
      handler: this.cniHandler,
      logger: this.logger.child({ component: 'cni-socket' }),
    });
    this.startup = this.startInBackground();
  }

  /** Resolves when the node is registered, repaired and consuming its events. */
  get ready(): Promise<void> {
    return this.startup ?? Promise.reject(new Error('node agent not started'));
  }

  /** Stops taking CNI requests (those in flight finish), drains the consumer, closes every connection. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.tick) {
      clearInterval(this.tick);
    }
    await this.startup?.catch(() => undefined);
    await this.socket?.close();
    await this.pods.settled();
    await this.consumer?.stop();
    await this.nats?.close();
    this.allocator.close();
    this.logger.info('node agent stopped', { node: this.settings.nodeName });
  }

  private async startInBackground(): Promise<void> {
    await this.retry('register the node', () => this.register());
    await this.retry('repair the node', async () => {
      await this.repairs.repair();
    });
    this.readiness.markStarted();
    this.logger.info('node agent ready for CNI ADD', { node: this.settings.nodeName });
    await this.retry('start the event consumer', () => this.startConsumer());
    this.tick = setInterval(() => void this.repairTick(), this.settings.repairIntervalMs);
    this.tick.unref();
  }

  private async register(): Promise<void> {
    const { nodeName, instanceId, instanceType, zone, mode } = this.settings;
    try {
      const view = await this.allocator.registerNode({
        node: nodeName,
        instance_id: instanceId,
        instance_type: instanceType,
        zone,
        mode,
      });
      this.logger.info('node registered', { node: nodeName, maxPods: view.max_pods, limits: view.limits });
    } catch (error) {
      const failure = allocatorFailure(error);
      this.readiness.setStartupProblem(`node registration failed: ${failure.message}`);
      throw failure;
    }
  }

  private async startConsumer(): Promise<void> {
    this.nats ??= await connect({
      servers: this.settings.natsServers,
      name: `ipledger-agent-${this.settings.nodeName}`,
    });
    const logger = this.logger.child({ component: 'consumer' });
    this.consumer = await runDurableConsumer({
      js: jetstream(this.nats),
      jsm: await jetstreamManager(this.nats),
      stream: DEFAULT_STREAM_NAME,
      durable: `agent-${this.settings.nodeName.replaceAll('.', '_')}`,
      filterSubject: nodeSubjectFilter(this.settings.nodeName),
      handler: this.handler.handle,
      logger: { warn: (message, fields) => logger.warn(message, fields) },
    });
    this.logger.info('consuming node events', { afterVersion: this.applied.version });
  }

  private async repairTick(): Promise<void> {
    try {
      await this.repairs.repair();
    } catch (error) {
      this.logger.warn('repair pass failed; next tick tries again', { error });
    }
  }

  private async retry(what: string, step: () => Promise<void>): Promise<void> {
    let delay = RETRY_MIN_MS;
    for (;;) {
      if (this.stopping.signal.aborted) {
        throw new Error(`stopped before it could ${what}`);
      }
      try {
        await step();
        return;
      } catch (error) {
        this.logger.warn(`cannot ${what} yet; retrying`, { error, retryInMs: delay });
        await sleep(delay, this.stopping.signal);
        delay = Math.min(RETRY_MAX_MS, delay * 2);
      }
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
