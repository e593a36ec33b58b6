// The few libc calls the rtnetlink client needs, through koffi (FFI with prebuilt binaries, no compiler at
// install time). Loaded on demand: an agent that cannot load koffi falls back to iproute2 (kernel.factory.ts).
//
// Threads: `send` and `poll` run on libuv's worker pool (koffi's async calls), because a netlink send does the
// kernel's work in the sending thread and waits for rtnl_lock, which another task may hold for a long time
// (deleting a veth waits for the device to unregister). Everything else returns at once and runs on the main
// thread: `recv` only with MSG_DONTWAIT, and socket()/setns() because setns changes the namespace of the
// calling thread only, so the thread that switches must be the one that creates the socket.
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';
import { MSG_DONTWAIT } from './netlink.constants.js';

type Koffi = typeof KoffiModule;
type Native = ((...args: unknown[]) => number) & {
  async: (...args: unknown[]) => void;
};

/** A system call's result: the value, or -1 and the errno it left. */
export interface SysResult {
  value: number;
  errno: number;
}

export interface Libc {
  socket(domain: number, type: number, protocol: number): SysResult;
  setsockoptInt(fd: number, level: number, name: number, value: number): SysResult;
  setns(fd: number, nstype: number): SysResult;
  close(fd: number): SysResult;
  /** Sends one datagram from a worker thread. */
  send(fd: number, data: Buffer): Promise<SysResult>;
  /** Receives one datagram if one is queued; EAGAIN otherwise. Never waits. */
  recvNow(fd: number, into: Buffer): SysResult;
  /** Waits on a worker thread until `fd` is readable or `timeoutMs` passed; value 0 means the time ran out. */
  pollReadable(fd: number, timeoutMs: number): Promise<SysResult>;
}

const POLLIN = 0x1;

export function loadLibc(): Libc {
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
  const lib = koffi.load('libc.so.6');
  const fn = (signature: string): Native => lib.func(signature);
  const socket = fn('int socket(int domain, int type, int protocol)');
  const setsockopt = fn('int setsockopt(int fd, int level, int name, const void *value, uint32_t length)');
  const setns = fn('int setns(int fd, int nstype)');
  const close = fn('int close(int fd)');
  const send = fn('long send(int fd, const void *data, size_t length, int flags)');
  const recv = fn('long recv(int fd, void *data, size_t length, int flags)');
  const poll = fn('int poll(void *fds, unsigned long count, int timeout)');

  // koffi reads errno right after the call, in the thread that made it (and hands async callers the worker's).
  const now = (value: number): SysResult => ({ value, errno: value < 0 ? koffi.errno() : 0 });
  const later = (call: Native, ...args: unknown[]): Promise<SysResult> =>
    new Promise((resolve, reject) => {
      call.async(...args, (error: unknown, value: number) => {
        if (error) {
          reject(error instanceof Error ? error : new Error('a libc call failed in a worker thread'));
        } else {
          resolve(now(value));
        }
      });
    });

  return {
    socket: (domain, type, protocol) => now(socket(domain, type, protocol)),
    setsockoptInt: (fd, level, name, value) => {
      const option = Buffer.alloc(4);
      option.writeInt32LE(value, 0);
      return now(setsockopt(fd, level, name, option, option.length));
    },
    setns: (fd, nstype) => now(setns(fd, nstype)),
    close: (fd) => now(close(fd)),
    // `data` stays referenced by the pending promise, so its memory outlives the worker's use of it.
    send: (fd, data) => later(send, fd, data, data.length, 0),
    recvNow: (fd, into) => now(recv(fd, into, into.length, MSG_DONTWAIT)),
    pollReadable: (fd, timeoutMs) => {
      const pollfd = Buffer.alloc(8);
      pollfd.writeInt32LE(fd, 0);
      pollfd.writeInt16LE(POLLIN, 4);
      return later(poll, pollfd, 1, timeoutMs);
    },
  };
}
