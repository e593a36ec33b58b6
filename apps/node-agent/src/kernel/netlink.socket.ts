// One NETLINK_ROUTE socket, bound for life to the namespace it was created in. Requests go out in one
// datagram per exchange (the kernel works through them in order and acks each); replies are matched to
// their request by sequence number, so concurrent exchanges on the host socket do not mix.
//
// The kernel handles an rtnetlink request inside the sending thread's send() call, so by the time the
// worker's send returns every ack of that datagram is queued on the socket: the main thread reads them
// without waiting. Only if they are not all there (a receive buffer that overflowed, or a kernel that
// answers later) does it wait, on a worker, with poll().
import { closeSync, openSync } from 'node:fs';
import { type Libc, type SysResult } from './libc.binding.js';
import { message, parseAck, splitMessages, type DecodedMessage } from './netlink.codec.js';
import {
  AF_NETLINK,
  CLONE_NEWNET,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_ROUTE,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_NETLINK,
  SOL_SOCKET,
} from './netlink.constants.js';
import { describeErrno } from './netlink-errno.js';

/** A request without its sequence number, which the socket assigns. */
export interface NetlinkRequest {
  type: number;
  flags: number;
  body: Buffer[];
}

export interface NetlinkReply {
  /** 0 when the kernel acked the request, else the errno it refused it with. */
  errno: number;
  detail?: string;
  /** Data messages that came before the ack (a GETLINK's link). */
  messages: DecodedMessage[];
}

/** The socket itself failed (not one request): nothing can be said about the requests in flight. */
export class NetlinkTransportError extends Error {
  override name = 'NetlinkTransportError';
}

const RECEIVE_BUFFER = 1 << 20;
const DATAGRAM_MAX = 1 << 16;
/** Requests per datagram: their acks must fit the receive buffer even when the kernel echoes each request. */
const MAX_BATCH = 64;
const REPLY_TIMEOUT_MS = 30_000;
const POLL_SLICE_MS = 1_000;

interface Waiter {
  messages: DecodedMessage[];
  reply?: NetlinkReply;
  failure?: NetlinkTransportError;
}

function sysFailure(what: string, result: SysResult): NetlinkTransportError {
  return new NetlinkTransportError(`${what}: ${describeErrno(result.errno)}`);
}

export class NetlinkSocket {
  private seq = 0;
  private readonly waiting = new Map<number, Waiter>();
  private readonly inbox = Buffer.alloc(DATAGRAM_MAX);
  private closed = false;

  private constructor(
    private readonly libc: Libc,
    private readonly fd: number,
  ) {}

  /**
   * Opens a socket in the namespace at `nsPath` (null: the calling thread's own). Synchronous from the first
   * setns to the one back, so no other JavaScript runs while the main thread is in the other namespace.
   */
  static open(libc: Libc, nsPath: string | null, homeNsFd: number): NetlinkSocket {
    return nsPath === null
      ? NetlinkSocket.create(libc)
      : inNetns(libc, nsPath, homeNsFd, () => NetlinkSocket.create(libc));
  }

  private static create(libc: Libc): NetlinkSocket {
    const opened = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (opened.value < 0) {
      throw sysFailure('cannot open a netlink socket', opened);
    }
    const fd = opened.value;
    // Short error replies with the kernel's explanation; a large buffer for the acks of concurrent batches
    // (FORCE passes the rmem_max limit when we are privileged; otherwise the plain request is capped by it).
    libc.setsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
    libc.setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    if (libc.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER).value !== 0) {
      libc.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, RECEIVE_BUFFER);
    }
    return new NetlinkSocket(libc, fd);
  }

  /** Sends the requests in order and returns one reply per request, in the same order. */
  async exchange(requests: readonly NetlinkRequest[]): Promise<NetlinkReply[]> {
    const replies: NetlinkReply[] = [];
    for (let start = 0; start < requests.length; start += MAX_BATCH) {
      replies.push(...(await this.exchangeBatch(requests.slice(start, start + MAX_BATCH))));
    }
    return replies;
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.libc.close(this.fd);
      this.failAll(new NetlinkTransportError('netlink socket closed'));
    }
  }

  private async exchangeBatch(requests: readonly NetlinkRequest[]): Promise<NetlinkReply[]> {
    if (this.closed) {
      throw new NetlinkTransportError('netlink socket closed');
    }
    const seqs = requests.map(() => this.nextSeq());
    const datagram = Buffer.concat(
      requests.map((r, i) => message({ type: r.type, flags: r.flags, seq: seqs[i] }, r.body)),
    );
    const waiters = seqs.map((seq) => {
      const waiter: Waiter = { messages: [] };
      this.waiting.set(seq, waiter);
      return waiter;
    });
    try {
      const sent = await this.libc.send(this.fd, datagram);
      if (sent.value < 0) {
        throw sysFailure('netlink send failed', sent);
      }
      await this.collect(waiters);
      return waiters.map((w) => w.reply!);
    } finally {
      seqs.forEach((seq) => this.waiting.delete(seq));
    }
  }

  private async collect(waiters: readonly Waiter[]): Promise<void> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    for (;;) {
      this.drain();
      const failure = waiters.find((w) => w.failure)?.failure;
      if (failure) {
        throw failure;
      }
      if (waiters.every((w) => w.reply)) {
        return;
      }
      if (this.closed) {
        throw new NetlinkTransportError('netlink socket closed while waiting for replies');
      }
      if (Date.now() >= deadline) {
        throw new NetlinkTransportError(`no netlink reply within ${REPLY_TIMEOUT_MS / 1000} s`);
      }
      const ready = await this.libc.pollReadable(this.fd, POLL_SLICE_MS);
      if (ready.value < 0 && ready.errno !== 4 /* EINTR */) {
        throw sysFailure('netlink poll failed', ready);
      }
    }
  }

  /** Reads every queued datagram and hands each message to the exchange that waits for its sequence number. */
  private drain(): void {
    for (;;) {
      const got = this.libc.recvNow(this.fd, this.inbox);
      if (got.value < 0) {
        if (got.errno === 11 /* EAGAIN */ || got.errno === 4 /* EINTR */) {
          return;
        }
        // ENOBUFS: the kernel dropped replies; nobody can tell whose, so every exchange in flight fails.
        this.failAll(sysFailure('netlink receive failed', got));
        return;
      }
      for (const msg of splitMessages(this.inbox.subarray(0, got.value))) {
        this.dispatch(msg);
      }
    }
  }

  private dispatch(msg: DecodedMessage): void {
    const waiter = this.waiting.get(msg.seq);
    if (!waiter || waiter.reply || msg.type === NLMSG_NOOP || msg.type === NLMSG_DONE) {
      return;
    }
    if (msg.type === NLMSG_ERROR) {
      waiter.reply = { ...parseAck(msg.payload, msg.flags), messages: waiter.messages };
    } else {
      // Replies are copied out: the receive buffer is reused by the next read.
      waiter.messages.push({ ...msg, payload: Buffer.from(msg.payload) });
    }
  }

  private failAll(error: NetlinkTransportError): void {
    for (const waiter of this.waiting.values()) {
      if (!waiter.reply) {
        waiter.failure ??= error;
      }
    }
  }

  private nextSeq(): number {
    this.seq = (this.seq % 0x7fffffff) + 1;
    return this.seq;
  }
}

/** A namespace file that cannot be opened: the errno says whether it is gone (ENOENT) or forbidden. */
export class NetnsOpenError extends NetlinkTransportError {
  override name = 'NetnsOpenError';
  constructor(
    readonly path: string,
    readonly errno: number,
  ) {
    super(`cannot open network namespace ${path}: ${describeErrno(errno)}`);
  }
}

/** Opens a namespace file (for setns or IFLA_NET_NS_FD); the caller closes the descriptor. */
export function openNetns(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    const errno = Math.abs((error as NodeJS.ErrnoException).errno ?? 2);
    throw new NetnsOpenError(path, errno);
  }
}

/**
 * Runs `work` with the main thread inside the namespace at `nsPath`, and back home before returning. `work`
 * must be synchronous: no other JavaScript may run while the thread is elsewhere.
 */
export function inNetns<T>(libc: Libc, nsPath: string, homeNsFd: number, work: () => T): T {
  const nsFd = openNetns(nsPath);
  try {
    const entered = libc.setns(nsFd, CLONE_NEWNET);
    if (entered.value !== 0) {
      throw sysFailure(`cannot enter network namespace ${nsPath}`, entered);
    }
    try {
      return work();
    } finally {
      returnHome(libc, homeNsFd);
    }
  } finally {
    closeSync(nsFd);
  }
}

/**
 * Puts the main thread back into the agent's own namespace. If that fails, every socket the agent opens from
 * now on (gRPC, NATS, the next netlink socket) would live in a pod's namespace: stopping is the only safe move.
 */
function returnHome(libc: Libc, homeNsFd: number): void {
  const back = libc.setns(homeNsFd, CLONE_NEWNET);
  if (back.value !== 0) {
    process.stderr.write(`FATAL: cannot return to the agent's network namespace: ${describeErrno(back.errno)}\n`);
    process.exit(70);
  }
}
