// The node's own IPv4 addresses (the primary NIC's, any other the node holds), which exclusive-ENI pods reach
// through their host veth. Read from the node's namespace and cached; pods' devices and loopback are not the
// node's addresses.
import { HOST_NS, type KernelPort } from '../kernel/index.js';
import { keyOfDevice } from '../dataplane/index.js';

export class NodeAddresses {
  private cached: string[] | null = null;

  constructor(private readonly kernel: Pick<KernelPort, 'read'>) {}

  async list(): Promise<string[]> {
    this.cached ??= await this.read();
    return this.cached;
  }

  /** Forgets the cache, e.g. before a repair pass. */
  refresh(): void {
    this.cached = null;
  }

  private async read(): Promise<string[]> {
    const host = await this.kernel.read(HOST_NS, ['links', 'addresses']);
    const podDevices = new Set(host.links.filter((l) => keyOfDevice(l.name) !== null).map((l) => l.name));
    return host.addresses
      .filter((a) => a.dev !== 'lo' && !podDevices.has(a.dev) && !a.ip.startsWith('127.') && a.prefix < 32)
      .map((a) => a.ip);
  }
}
