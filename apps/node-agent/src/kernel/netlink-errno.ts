// What an errno in a netlink error reply means for idempotency. iproute2 prints the same errnos as text
// ("File exists", "No such process", ...) and `isBenignFailure` matches that text; this table gives the
// netlink adapter the same decision from the number itself.
import { benignFor, type Benign, type NetOp } from './net-op.js';

interface ErrnoInfo {
  name: string;
  text: string;
  /** The desired state may already hold when an operation of this kind fails with this errno. */
  benign?: Benign;
}

const ERRNOS: Readonly<Record<number, ErrnoInfo>> = {
  1: { name: 'EPERM', text: 'operation not permitted' },
  2: { name: 'ENOENT', text: 'no such file or directory', benign: 'absent' },
  3: { name: 'ESRCH', text: 'no such process', benign: 'absent' },
  9: { name: 'EBADF', text: 'bad file descriptor' },
  11: { name: 'EAGAIN', text: 'resource temporarily unavailable' },
  12: { name: 'ENOMEM', text: 'out of memory' },
  13: { name: 'EACCES', text: 'permission denied' },
  16: { name: 'EBUSY', text: 'device or resource busy' },
  17: { name: 'EEXIST', text: 'file exists', benign: 'exists' },
  19: { name: 'ENODEV', text: 'no such device', benign: 'absent' },
  22: { name: 'EINVAL', text: 'invalid argument' },
  23: { name: 'ENFILE', text: 'too many open files in system' },
  24: { name: 'EMFILE', text: 'too many open files' },
  34: { name: 'ERANGE', text: 'numerical result out of range' },
  61: { name: 'ENODATA', text: 'no data available' },
  90: { name: 'EMSGSIZE', text: 'message too long' },
  93: { name: 'EPROTONOSUPPORT', text: 'protocol not supported' },
  95: { name: 'EOPNOTSUPP', text: 'operation not supported' },
  97: { name: 'EAFNOSUPPORT', text: 'address family not supported' },
  98: { name: 'EADDRINUSE', text: 'address already in use' },
  99: { name: 'EADDRNOTAVAIL', text: 'cannot assign requested address', benign: 'absent' },
  100: { name: 'ENETDOWN', text: 'network is down' },
  101: { name: 'ENETUNREACH', text: 'network is unreachable' },
  105: { name: 'ENOBUFS', text: 'no buffer space available' },
  113: { name: 'EHOSTUNREACH', text: 'no route to host' },
};

/** `EEXIST`, or `errno 123` for one this table does not name. */
export const errnoName = (errno: number): string => ERRNOS[errno]?.name ?? `errno ${errno}`;

/** `ENODEV (no such device)`: the symbolic name first, so logs and tests can match it exactly. */
export function describeErrno(errno: number): string {
  const info = ERRNOS[errno];
  return info ? `${info.name} (${info.text})` : `errno ${errno}`;
}

/** Which kind of "already done" an errno reports, if any. */
export const benignErrno = (errno: number): Benign | null => ERRNOS[errno]?.benign ?? null;

/** The netlink twin of `isBenignFailure`: the operation failed, but what it wanted holds. */
export function isBenignErrno(op: NetOp, errno: number): boolean {
  const benign = benignFor(op);
  return benign !== null && benign === benignErrno(errno);
}
