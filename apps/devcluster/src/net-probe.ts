// A probe the harness runs inside a namespace (`ip netns exec <ns> node net-probe.js ...`). Besides ICMP
// `ping`, reachability can be a TCP handshake attempt: a RST (connection refused) or an accept from the
// address proves the round trip through the dataplane, with no server in the peer; silence or an ICMP error
// proves the opposite.
//
//   reach <timeoutMs> <port> <ip>...   prints {"<ip>": true|false, ...}
//   sink <ip> <port>                   prints "ready"; after one connection ends prints {"bytes","seconds"}
//   send <ip> <port> <bytes>           sends that many bytes and closes
import { connect, createServer } from 'node:net';

function reachOne(ip: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNREFUSED'));
  });
}

async function reach(timeoutMs: string, port: string, ips: string[]): Promise<void> {
  const results = await Promise.all(ips.map((ip) => reachOne(ip, Number(port), Number(timeoutMs))));
  process.stdout.write(`${JSON.stringify(Object.fromEntries(ips.map((ip, i) => [ip, results[i]])))}\n`);
}

function sink(ip: string, port: string): void {
  const server = createServer((socket) => {
    let bytes = 0;
    let first = 0;
    socket.on('data', (chunk: Buffer) => {
      first ||= performance.now();
      bytes += chunk.length;
    });
    socket.on('end', () => {
      const seconds = (performance.now() - first) / 1000;
      process.stdout.write(`${JSON.stringify({ bytes, seconds })}\n`);
      socket.end();
      server.close();
    });
  });
  server.listen(Number(port), ip, () => process.stdout.write('ready\n'));
}

function send(ip: string, port: string, total: string): void {
  const chunk = Buffer.alloc(64 * 1024, 7);
  const socket = connect({ host: ip, port: Number(port) }, () => {
    let left = Number(total);
    const pump = (): void => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  });
  socket.on('data', () => undefined);
  socket.on('close', () => process.exit(0));
  socket.on('error', (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}

const [mode, ...args] = process.argv.slice(2);
switch (mode) {
  case 'reach':
    await reach(args[0], args[1], args.slice(2));
    break;
  case 'sink':
    sink(args[0], args[1]);
    break;
  case 'send':
    send(args[0], args[1], args[2]);
    break;
  default:
    process.stderr.write(`net-probe: unknown mode ${mode}\n`);
    process.exit(2);
}
