// Runs a list of `ip` operations over one netlink socket in as few round trips as their names allow. Every
// operation is attempted and gets its own outcome, like a line of `ip -force -batch`.
//
// Round trips: the indexes of the devices the operations address by index are looked up together first,
// then all operations go out in one datagram. Only when an operation needs the index of a device that an
// earlier operation of the same list creates, renames or moves (a veth followed by its route) are the
// operations before it sent first, and the name looked up after them.
import { type NsTarget } from './kernel.port.js';
import { ifinfoIndex } from './netlink.codec.js';
import { RTM_NEWLINK } from './netlink.constants.js';
import { encodeOp, getLinkRequest, namesNeeded, namesTouched, type IpOp } from './netlink-request.encoder.js';
import { NetnsOpenError, type NetlinkRequest, type NetlinkSocket } from './netlink.socket.js';

const ENODEV = 19;
const EINVAL = 22;

export interface OpOutcome {
  /** 0: done. */
  errno: number;
  detail?: string;
  /** A failure of our own preparation (a namespace that cannot be opened): never "already done". */
  local?: boolean;
}

/** The index of a device, or why there is none. */
type Lookup = number | OpOutcome;

interface Pending {
  position: number;
  request: NetlinkRequest;
}

export class NetlinkOpsRunner {
  private readonly outcomes: OpOutcome[];
  private readonly known = new Map<string, Lookup>();
  private pending: Pending[] = [];

  constructor(
    private readonly socket: NetlinkSocket,
    private readonly ops: readonly IpOp[],
    /** Opens (and remembers) the namespace a device goes to; throws NetnsOpenError. */
    private readonly netnsFd: (target: NsTarget) => number,
  ) {
    this.outcomes = ops.map(() => ({ errno: 0 }));
  }

  async run(): Promise<OpOutcome[]> {
    await this.lookUp(this.namesKnownUpFront());
    for (const [position, op] of this.ops.entries()) {
      const unknown = namesNeeded(op).filter((name) => !this.known.has(name));
      if (unknown.length > 0) {
        await this.flush();
        await this.lookUp(unknown);
      }
      this.prepare(position, op);
      for (const name of namesTouched(op)) {
        this.known.delete(name);
      }
    }
    await this.flush();
    return this.outcomes;
  }

  /** Names needed before any operation of the list could have changed them. */
  private namesKnownUpFront(): string[] {
    const touched = new Set<string>();
    const wanted = new Set<string>();
    for (const op of this.ops) {
      namesNeeded(op)
        .filter((name) => !touched.has(name))
        .forEach((name) => wanted.add(name));
      namesTouched(op).forEach((name) => touched.add(name));
    }
    return [...wanted];
  }

  private prepare(position: number, op: IpOp): void {
    const missing = namesNeeded(op)
      .map((name) => this.known.get(name))
      .find((lookup): lookup is OpOutcome => typeof lookup === 'object');
    if (missing) {
      this.outcomes[position] = missing;
      return;
    }
    try {
      const request = encodeOp(op, {
        index: (name) => this.known.get(name) as number,
        netnsFd: this.netnsFd,
      });
      this.pending.push({ position, request });
    } catch (error) {
      this.outcomes[position] =
        error instanceof NetnsOpenError
          ? { errno: error.errno, detail: error.message, local: true }
          : { errno: EINVAL, detail: error instanceof Error ? error.message : String(error), local: true };
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) {
      return;
    }
    const replies = await this.socket.exchange(batch.map((p) => p.request));
    batch.forEach((p, i) => {
      const { errno, detail } = replies[i];
      this.outcomes[p.position] = detail === undefined ? { errno } : { errno, detail };
    });
  }

  private async lookUp(names: readonly string[]): Promise<void> {
    if (names.length === 0) {
      return;
    }
    const replies = await this.socket.exchange(names.map(getLinkRequest));
    names.forEach((name, i) => {
      const { errno, messages } = replies[i];
      const link = messages.find((m) => m.type === RTM_NEWLINK);
      this.known.set(
        name,
        errno === 0 && link
          ? ifinfoIndex(link.payload)
          : { errno: errno || ENODEV, detail: `cannot find device "${name}"` },
      );
    });
  }
}
