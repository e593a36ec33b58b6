// Traffic between namespaces of a local cluster, through net-probe.js run inside them: reachability (a TCP
// handshake answered by the peer's kernel) and the rate of a bounded TCP transfer.
import { spawn, type ChildProcess } from 'node:child_process';
import { execInNetns } from './host-commands.js';

/** A port nothing listens on: the peer's kernel answers a SYN with a RST, which is all `reach` needs. */
export const REACH_PORT = 9;

export class ClusterProbes {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly probe: string) {}

  /** ICMP echo from the namespace to each address (iputils ping); true where a reply came back. */
  async ping(netns: string, ips: readonly string[], timeoutMs: number): Promise<Record<string, boolean>> {
    const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
    const replies = await Promise.all(
      ips.map(async (ip) => {
        const out = await execInNetns(
          netns,
          ['ping', '-n', '-q', '-c', '3', '-i', '0.2', '-w', seconds, ip],
          timeoutMs + 5_000,
        );
        // 1: no reply; 2 with "unreachable": no route to send it by. Both mean the address does not answer.
        if (out.code === 2 && !/unreachable/i.test(out.stderr)) {
          throw new Error(`ping ${ip} in ${netns} failed (${out.code}): ${out.stderr.trim()}`);
        }
        return out.code === 0;
      }),
    );
    return Object.fromEntries(ips.map((ip, i) => [ip, replies[i]]));
  }

  /** A TCP handshake attempt from the namespace to each address; a RST or an accept counts as an answer. */
  async reach(netns: string, ips: readonly string[], timeoutMs: number): Promise<Record<string, boolean>> {
    const argv = [process.execPath, this.probe, 'reach', String(timeoutMs), String(REACH_PORT), ...ips];
    const out = await execInNetns(netns, argv, timeoutMs + 10_000);
    if (out.code !== 0) {
      throw new Error(`reach probe in ${netns} failed (${out.code}): ${out.stderr}`);
    }
    return JSON.parse(out.stdout) as Record<string, boolean>;
  }

  /** Sends `bytes` from `from` to a sink on `toIp` in `to`; the rate in bit/s from the sink's first byte. */
  async transferRate(from: string, to: string, toIp: string, bytes: number, timeoutMs = 120_000): Promise<number> {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const sink = spawn('ip', ['netns', 'exec', to, process.execPath, this.probe, 'sink', toIp, String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(sink);
    try {
      const lines = lineReader(sink);
      await withTimeout(lines.next('ready'), 15_000, 'sink ready');
      const report = lines.next('{');
      const sent = await execInNetns(
        from,
        [process.execPath, this.probe, 'send', toIp, String(port), String(bytes)],
        timeoutMs,
      );
      if (sent.code !== 0) {
        throw new Error(`sender in ${from} failed (${sent.code}): ${sent.stderr}`);
      }
      const { bytes: received, seconds } = JSON.parse(await withTimeout(report, timeoutMs, 'sink report')) as {
        bytes: number;
        seconds: number;
      };
      if (received !== bytes) {
        throw new Error(`sink received ${received} of ${bytes} bytes`);
      }
      return (received * 8) / seconds;
    } finally {
      sink.kill('SIGKILL');
      this.children.delete(sink);
    }
  }

  async stop(): Promise<void> {
    for (const child of this.children) {
      child.kill('SIGKILL');
    }
    this.children.clear();
    await Promise.resolve();
  }
}

function lineReader(child: ChildProcess): { next(prefix: string): Promise<string> } {
  let buffer = '';
  const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  const lines: string[] = [];
  const deliver = () => {
    for (const waiter of [...waiting]) {
      const index = lines.findIndex((line) => line.startsWith(waiter.prefix));
      if (index >= 0) {
        waiter.resolve(lines.splice(index, 1)[0]);
        waiting.splice(waiting.indexOf(waiter), 1);
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line !== ''));
    deliver();
  });
  return {
    next: (prefix) =>
      new Promise((resolve) => {
        waiting.push({ prefix, resolve });
        deliver();
      }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for the ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
