// The node's ENIs as the ledger describes them (DescribePool), by id. An Allocation names its ENI's id and MAC
// but not the ENI's primary address, which the host side of a shared ENI needs; this fills that in, asking
// the allocator again only for an ENI it has not seen yet.
import { type AllocatorClient, type EniView } from '@ipledger/proto';
import { allocatorFailure } from './allocator-failure.js';

export class EniDirectory {
  private readonly byId = new Map<string, EniView>();

  constructor(
    private readonly allocator: Pick<AllocatorClient, 'describePool'>,
    private readonly node: string,
    private readonly timeoutMs: number,
  ) {}

  /** The ENI, or null when the ledger does not list it on this node (any more). */
  async find(eniId: string): Promise<EniView | null> {
    const known = this.byId.get(eniId);
    if (known) {
      return known;
    }
    await this.refresh();
    return this.byId.get(eniId) ?? null;
  }

  /** Every ENI the ledger places on this node now. */
  async refresh(): Promise<EniView[]> {
    let enis: EniView[];
    try {
      enis = (await this.allocator.describePool({ node: this.node }, { timeoutMs: this.timeoutMs })).enis;
    } catch (error) {
      throw allocatorFailure(error);
    }
    this.byId.clear();
    for (const eni of enis) {
      this.byId.set(eni.id, eni);
    }
    return enis;
  }
}
