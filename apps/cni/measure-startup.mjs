// Measures how fast the built CNI plugin starts and answers, next to the reference Go plugin `ptp`, for the
// figures in docs/cni.md (measurements, not test asserts). Needs `npm run build` first and root (network
// namespaces). Everything runs inside a throwaway "node" namespace, so the root namespace is left alone.
// Usage: node apps/cni/measure-startup.mjs [--runs 200] [--pods 50]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    pods: { type: 'string', default: '50' },
    inside: { type: 'string' },
  },
});
const PTP = '/usr/lib/cni/ptp';
const exe = join(root, 'dist/cni/ipledger-cni');
const bundle = join(root, 'dist/cni/ipledger-cni.mjs');
const tag = Math.random().toString(16).slice(2, 8);

function run(file, args, env, stdin = '') {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      return code === 0 ? done(ms) : fail(new Error(`${file} exited ${code}: ${out}`));
    });
    child.stdin.on('error', () => undefined); // a program that does not read stdin (node -e 0) closes it early
    child.stdin.end(stdin);
  });
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return { n: sorted.length, mean: +mean.toFixed(1), p50: +at(0.5).toFixed(1), p95: +at(0.95).toFixed(1) };
}

/** Round-robin over the variants so that background load hits them all alike. */
async function measureVersion(runs) {
  const variants = {
    'bare node (node -e 0)': [process.execPath, ['-e', '0']],
    'node + bundle (ipledger-cni.mjs)': [process.execPath, [bundle]],
    'bun executable (ipledger-cni)': [exe, []],
    'ptp (Go reference plugin)': [PTP, []],
  };
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, [file, args]] of Object.entries(variants)) {
      samples[name].push(await run(file, args, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.1.0"}'));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, summary(s)]));
}

const attachment = (pod, netns) => ({
  CNI_CONTAINERID: pod,
  CNI_NETNS: netns,
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/usr/lib/cni',
  CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=${pod}`,
});

async function measureAddDel(label, file, args, conf, pods) {
  const add = [];
  const del = [];
  for (let i = 0; i < pods; i++) {
    const pod = `ipl-cnibench-${tag}-p${i}`;
    execFileSync('ip', ['netns', 'add', pod]);
    try {
      const env = attachment(pod, `/var/run/netns/${pod}`);
      add.push(await run(file, args, { ...env, CNI_COMMAND: 'ADD' }, conf));
      del.push(await run(file, args, { ...env, CNI_COMMAND: 'DEL' }, conf));
    } finally {
      execFileSync('ip', ['netns', 'del', pod]);
    }
  }
  return { [`${label} ADD`]: summary(add), [`${label} DEL`]: summary(del) };
}

/**
 * The real agent-side socket server in its own process (as the node agent is), with a handler that answers at
 * once, so that the figures are the plugin's own cost plus one exchange over the socket.
 */
async function startInstantAgent(dir) {
  const path = join(dir, 'agent', 'cni.sock');
  const server = join(root, 'dist/apps/node-agent/src/cni-socket/index.js');
  const script = `
    const { startCniSocketServer } = await import(${JSON.stringify(server)});
    const result = { cniVersion: '1.1.0', ips: [{ address: '10.0.0.2/32', gateway: '169.254.1.1' }] };
    const done = async () => undefined;
    const handler = { add: async () => result, del: done, check: done, gc: done, status: async () => ({ ready: true }) };
    const logger = { info() {}, warn() {}, error() {} };
    await startCniSocketServer({ path: ${JSON.stringify(path)}, handler, logger });
    console.log('ready');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((ready, fail) => {
    child.stdout.once('data', ready);
    child.once('exit', (code) => fail(new Error(`agent exited ${code}`)));
  });
  return { path, close: () => child.kill() };
}

async function inside(runs, pods) {
  const dir = mkdtempSync(join(tmpdir(), 'ipl-cnibench-'));
  try {
    const figures = { ...(await measureVersion(runs)) };
    const agent = await startInstantAgent(dir);
    const ours = JSON.stringify({ cniVersion: '1.1.0', name: 'bench', type: 'ipledger-cni', agentSocket: agent.path });
    Object.assign(figures, await measureAddDel('ipledger-cni (bun) + instant agent', exe, [], ours, pods));
    Object.assign(
      figures,
      await measureAddDel('ipledger-cni (node) + instant agent', process.execPath, [bundle], ours, pods),
    );
    agent.close();
    const ptp = JSON.stringify({
      cniVersion: '1.0.0',
      name: 'bench-ptp',
      type: 'ptp',
      ipMasq: false,
      ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.0.0/16' }]], dataDir: join(dir, 'host-local') },
    });
    Object.assign(figures, await measureAddDel('ptp + host-local', PTP, [], ptp, pods));
    console.log(JSON.stringify(figures));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.inside) {
  await inside(Number(values.runs), Number(values.pods));
} else {
  const nodeNs = `ipl-cnibench-${tag}-node`;
  execFileSync('ip', ['netns', 'add', nodeNs]);
  try {
    execFileSync('ip', ['-n', nodeNs, 'link', 'set', 'lo', 'up']);
    const args = [import.meta.filename, '--inside', '1', '--runs', values.runs, '--pods', values.pods];
    const out = execFileSync('ip', ['netns', 'exec', nodeNs, process.execPath, ...args], { encoding: 'utf8' });
    const figures = JSON.parse(out);
    const load = loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
    const machine = `${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`;
    console.log(`# ${new Date().toISOString()}, ${machine}, load average at the end ${load}`);
    console.table(figures);
  } finally {
    execFileSync('ip', ['netns', 'del', nodeNs]);
  }
}
