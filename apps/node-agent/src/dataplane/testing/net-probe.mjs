// Test probe run inside a namespace (`ip netns exec <ns> node net-probe.mjs ...`). This machine has no
// `ping`, so reachability is a UDP echo round trip, and throughput is a bounded TCP transfer.
//
//   echo-server <ip> <port>              answer every datagram; prints "ready" once bound
//   echo <timeoutMs> <port> <ip>...      one round trip per ip; prints {"<ip>": true|false, ...}
//   sink <ip> <port>                     prints "ready"; after one connection ends prints {"bytes","seconds"}
//   send <ip> <port> <bytes>             sends that many bytes and closes
import dgram from 'node:dgram';
import net from 'node:net';

const [mode, ...args] = process.argv.slice(2);

function echoServer(ip, port) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, remote) => socket.send(message, remote.port, remote.address));
  socket.bind(Number(port), ip, () => console.log('ready'));
}

function roundTrip(ip, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const token = `probe-${ip}-${Math.random()}`;
    const finish = (ok) => {
      clearInterval(resend);
      clearTimeout(deadline);
      socket.close();
      resolve(ok);
    };
    socket.on('message', (message, remote) => {
      if (remote.address === ip && message.toString() === token) {
        finish(true);
      }
    });
    socket.on('error', () => undefined);
    const send = () => socket.send(token, Number(port), ip, () => undefined);
    const resend = setInterval(send, 250);
    const deadline = setTimeout(() => finish(false), timeoutMs);
    send();
  });
}

async function echo(timeoutMs, port, ips) {
  const results = await Promise.all(ips.map((ip) => roundTrip(ip, port, Number(timeoutMs))));
  console.log(JSON.stringify(Object.fromEntries(ips.map((ip, i) => [ip, results[i]]))));
}

function sink(ip, port) {
  const server = net.createServer((socket) => {
    let bytes = 0;
    let first = 0;
    socket.on('data', (chunk) => {
      first ||= performance.now();
      bytes += chunk.length;
    });
    socket.on('end', () => {
      const seconds = (performance.now() - first) / 1000;
      console.log(JSON.stringify({ bytes, seconds }));
      socket.end();
      server.close();
    });
  });
  server.listen(Number(port), ip, () => console.log('ready'));
}

function send(ip, port, total) {
  const chunk = Buffer.alloc(64 * 1024, 7);
  const socket = net.connect(Number(port), ip, () => {
    let left = Number(total);
    const pump = () => {
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
    console.error(error.message);
    process.exit(1);
  });
}

switch (mode) {
  case 'echo-server':
    echoServer(args[0], args[1]);
    break;
  case 'echo':
    await echo(args[0], args[1], args.slice(2));
    break;
  case 'sink':
    sink(args[0], args[1]);
    break;
  case 'send':
    send(args[0], args[1], args[2]);
    break;
  default:
    console.error(`unknown mode ${mode}`);
    process.exit(2);
}
