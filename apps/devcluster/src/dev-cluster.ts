// `npm start`: a small ipledger cluster on this machine. Fresh database and stream, ecs-sim and the allocator,
// then nodes and pods through the best driver this machine allows (namespaces as root, gRPC only otherwise),
// a summary, and churn until Ctrl-C (or exit after the summary with --once).
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ChildLogs } from './child-logs.js';
import { type ClusterDriver } from './cluster-driver.js';
import { devEniConfig, nodePlan } from './cluster-plan.js';
import { type ClusterSnapshot, eniCount, poolTotals, renderSummary } from './cluster-summary.js';
import { resetDatabase } from './dev-database.js';
import { DevNats } from './dev-nats.js';
import { type DevOutput } from './dev-output.js';
import { DevWorkload } from './dev-workload.js';
import { type DevclusterArgs } from './devcluster-args.js';
import { eventLine } from './event-lines.js';
import { deleteDevNamespaces, netnsProblem } from './netns-check.js';
import { pokeHints } from './poke-hints.js';
import { type Shutdown } from './shutdown.js';
import { SimulatedDriver } from './simulated-driver.js';
import { Teardown } from './teardown.js';

const CHURN_INTERVAL_MS = 1_500;
const STATUS_INTERVAL_MS = 30_000;

export interface DevClusterContext {
  args: DevclusterArgs;
  out: DevOutput;
  shutdown: Shutdown;
  /** Logs and the namespaces harness's files; default IPLEDGER_DEV_DIR or <tmp>/ipledger-dev. */
  workDir?: string;
}

/** Runs the dev cluster; resolves with the exit code once everything it started is stopped. */
export async function runDevCluster(context: DevClusterContext): Promise<number> {
  const { args, out, shutdown } = context;
  const teardown = new Teardown();
  const logs = new ChildLogs(out, args.verbose);
  try {
    const code = await bringUpAndRun(context, teardown, logs);
    return shutdown.signal.aborted ? 0 : code;
  } catch (error) {
    if (shutdown.signal.aborted) {
      return 0;
    }
    out.warn(`the dev cluster failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    out.info('stopping everything this run started');
    const problems = await teardown.run();
    logs.stop();
    for (const problem of problems) {
      out.warn(`clean-up: ${problem}`);
    }
    for (const line of logs.tally()) {
      out.info(line);
    }
    out.info(problems.length === 0 ? 'stopped; nothing left running' : 'stopped, with the problems above');
  }
}

async function bringUpAndRun(context: DevClusterContext, teardown: Teardown, logs: ChildLogs): Promise<number> {
  const { args, out, shutdown } = context;
  const signal = shutdown.signal;
  const dirs = prepareWorkDir(context.workDir);
  await freshLedger(context, teardown);
  const driver = await startDriver(context, dirs);
  teardown.add('cluster', () => driver.stop(), 45_000);
  shutdown.onForce(() => driver.forceStop());
  signal.throwIfAborted();
  out.info(`allocator serving gRPC on ${driver.allocatorAddr}; ecs-sim on http://${driver.ecs.endpoint}`);

  const workload = new DevWorkload(driver, out);
  await workload.addNodes(nodePlan(args.nodes), signal);
  for (const [name, file] of Object.entries(driver.logFiles())) {
    logs.follow(name, file);
  }
  await firstPods(workload, context);
  logs.poll();
  const snapshot = await showSummary(workload, driver, context, dirs);
  if (args.once) {
    const problems = onceProblems(snapshot);
    for (const problem of problems) {
      out.warn(`--once: ${problem}`);
    }
    return problems.length === 0 ? 0 : 1;
  }
  await churn(workload, driver, args.pods, context);
  return 0;
}

/** An empty database and stream, and the event feed that narrates what the allocator does. */
async function freshLedger({ args, out }: DevClusterContext, teardown: Teardown): Promise<void> {
  // Both servers must answer before anything is dropped.
  const nats = await DevNats.connect(args.natsUrl);
  teardown.add('NATS connection', () => nats.close());
  const db = await resetDatabase(args.databaseUrl);
  out.info(`database ${db.name}: dropped, created and migrated (every run starts with an empty ledger)`);
  const hadStream = await nats.resetStream();
  out.info(
    `NATS ${args.natsUrl}: ${hadStream ? 'stream IPLEDGER deleted (an earlier run’s events)' : 'no old stream'}`,
  );
  nats.follow((event) => {
    const line = eventLine(event);
    if (line?.warning) {
      out.warn(line.text);
    } else if (line) {
      out.info(line.text);
    }
  });
  await nats.flush();
}

/** The target number of pods, then a rollout of a quarter of them, so that addresses go cooling. */
async function firstPods(workload: DevWorkload, { args, out, shutdown }: DevClusterContext): Promise<void> {
  out.info(`starting ${args.pods} pods`);
  await workload.fill(args.pods, shutdown.signal);
  const replaced = Math.ceil(args.pods / 4);
  const pods = replaced === 1 ? '1 pod and starting 1 new one' : `${replaced} pods and starting ${replaced} new ones`;
  out.info(`deleting ${pods} (a rollout): released addresses cool down`);
  await workload.replace(replaced, shutdown.signal);
  await sleep(500, shutdown.signal);
}

/** The summary, the history of a released address and how to poke at the cluster. */
async function showSummary(
  workload: DevWorkload,
  driver: ClusterDriver,
  { args, out }: DevClusterContext,
  dirs: WorkDirs,
): Promise<ClusterSnapshot> {
  const title = `ipledger dev cluster: ${args.nodes} nodes, ${driver.description}`;
  const snapshot = await workload.snapshot(title, true);
  out.block('\n' + renderSummary(snapshot));
  const sampleIp = workload.firstReleasedIp;
  if (sampleIp) {
    const history = await workload.history(sampleIp);
    out.block(`\nHistory of ${sampleIp} (who held it, when):\n${history.join('\n')}`);
  }
  out.block(
    pokeHints({
      allocatorAddr: driver.allocatorAddr,
      metricsAddr: driver.metricsAddr,
      ecsEndpoint: driver.ecs.endpoint,
      logDir: dirname(driver.logFiles().allocator ?? join(dirs.logs, 'allocator.log')),
      sampleIp,
      agentMetrics: driver.agentMetrics(),
      once: args.once,
    }),
  );
  return snapshot;
}

/** What makes a --once run fail: a pod without an address, or pods that cannot reach each other. */
function onceProblems(snapshot: ClusterSnapshot): string[] {
  const problems: string[] = [];
  if (snapshot.pods.failed > 0) {
    problems.push(`${snapshot.pods.failed} of ${snapshot.pods.started} pods got no address`);
  }
  const ping = snapshot.ping;
  const unanswered = ping ? ping.reachable.flatMap((row, i) => row.filter((ok, j) => i !== j && !ok)).length : 0;
  if (unanswered > 0) {
    problems.push(`${unanswered} pod-to-pod pings got no answer`);
  }
  return problems;
}

/** Pods come and go until Ctrl-C, with a status line now and then. */
async function churn(workload: DevWorkload, driver: ClusterDriver, target: number, context: DevClusterContext) {
  const signal = context.shutdown.signal;
  let lastStatus = Date.now();
  while (!signal.aborted) {
    await workload.churnStep(target);
    if (Date.now() - lastStatus >= STATUS_INTERVAL_MS) {
      lastStatus = Date.now();
      const { nodes } = await driver.client.listNodes();
      const ips = poolTotals(nodes);
      const calls = driver.ecs.admin.totalCalls();
      context.out.info(
        `status: ${workload.runningCount} pods; IPs ${ips.idle} idle, ${ips.allocated} allocated, ` +
          `${ips.cooling} cooling on ${eniCount(nodes)} ENIs; ${calls} cloud calls; pod start ${workload.latency.describe()}`,
      );
    }
    await sleep(CHURN_INTERVAL_MS, signal);
  }
}

async function startDriver(context: DevClusterContext, dirs: WorkDirs): Promise<ClusterDriver> {
  const { args, out, shutdown } = context;
  const common = {
    databaseUrl: args.databaseUrl,
    natsUrl: args.natsUrl,
    eniConfig: devEniConfig(),
    log: (line: string) => out.child('ecs-sim', line),
    signal: shutdown.signal,
  };
  const problem = args.noNetns ? '--no-netns given' : netnsProblem();
  if (problem === null) {
    const left = deleteDevNamespaces();
    if (left.length > 0) {
      out.info(`deleted ${left.length} namespaces an earlier run left behind`);
    }
    shutdown.onForce(() => deleteDevNamespaces());
    const { NetnsDriver } = await import('./netns-driver.js');
    out.info('running as root: nodes and pods are network namespaces, wired by the CNI plugin and node agents');
    return NetnsDriver.start({ ...common, workDir: dirs.cluster });
  }
  out.info(`network namespaces not used (${problem}): allocator-only simulation over gRPC`);
  return SimulatedDriver.start({ ...common, logDir: dirs.logs });
}

interface WorkDirs {
  logs: string;
  cluster: string;
}

/** The work directory's own subdirectories, emptied: logs of this run only. */
function prepareWorkDir(workDir?: string): WorkDirs {
  const root = workDir ?? process.env.IPLEDGER_DEV_DIR ?? join(tmpdir(), 'ipledger-dev');
  const dirs = { logs: join(root, 'logs'), cluster: join(root, 'cluster') };
  for (const dir of Object.values(dirs)) {
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dirs.logs, { recursive: true });
  return dirs;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
