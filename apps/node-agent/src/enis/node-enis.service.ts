// The node side of the ENIs the ledger attaches to this node. In `eniip` mode each ENI is prepared on the host
// (NIC up, its policy route table) as soon as it is attached, so the first pod on it finds it ready; in `eni`
// mode an ENI is left alone until a pod takes it whole.
import { DomainError } from '@ipledger/domain';
import { type EniView } from '@ipledger/proto';
import { type AgentMode } from '../config/agent-settings.js';
import { ENI_TABLE_BASE, nicByMac, type EniPreparer, type EniSpec } from '../dataplane/index.js';
import { HOST_NS, type KernelPort } from '../kernel/index.js';
import { type EniDirectory } from '../allocator/eni-directory.js';
import { type Logger } from '../logging/json-logger.js';

export type PrepareOutcome = 'prepared' | 'not-in-ledger' | 'not-needed';

export const eniSpecOf = (eni: EniView): EniSpec => ({
  mac: eni.mac,
  gateway: eni.gateway,
  vswitchCidr: eni.vswitch_cidr,
  primaryIp: eni.primary_ip,
});

export class NodeEnis {
  constructor(
    private readonly kernel: KernelPort,
    private readonly preparer: EniPreparer,
    private readonly directory: EniDirectory,
    private readonly mode: AgentMode,
    private readonly logger: Logger,
  ) {}

  /**
   * After EniAttachRequested: looks the ENI up while the cloud attaches it, so that preparing it after
   * EniAttached asks the allocator nothing (that round trip was the largest part of a preparation, and the
   * node's later events wait for it). Failures are left for `prepare` to meet.
   */
  lookAhead(eniId: string): void {
    if (this.mode === 'eniip') {
      this.directory.find(eniId).catch(() => undefined);
    }
  }

  /**
   * After EniAttached. An ENI's MAC, gateway, CIDR and primary address never change, so a known entry serves.
   * Throws DomainError `not-found` while the NIC is not visible on the node yet, unless the ledger no longer
   * places the ENI here (it left before this event was applied): then there is nothing to prepare.
   */
  async prepare(eniId: string): Promise<PrepareOutcome> {
    if (this.mode !== 'eniip') {
      return 'not-needed';
    }
    const eni = await this.directory.find(eniId);
    if (!eni) {
      return 'not-in-ledger';
    }
    try {
      await this.preparer.prepare(eniSpecOf(eni));
    } catch (error) {
      const stillHere = (await this.directory.refresh()).some((e) => e.id === eniId);
      if (!stillHere) {
        return 'not-in-ledger';
      }
      throw error;
    }
    return 'prepared';
  }

  /** After EniDetachRequested: forget the ENI and drop its route table before the NIC goes away. */
  async unprepare(eniId: string): Promise<void> {
    if (this.mode !== 'eniip') {
      return;
    }
    const eni = await this.directory.find(eniId);
    if (!eni) {
      return;
    }
    this.preparer.forget(eni.mac);
    const nic = nicByMac((await this.kernel.read(HOST_NS, ['links'])).links, eni.mac);
    if (!nic) {
      return;
    }
    await this.kernel.apply(HOST_NS, [
      { kind: 'route-del', dst: 'default', table: ENI_TABLE_BASE + nic.index },
      { kind: 'addr-del', dev: nic.name, cidr: `${eni.primary_ip}/32` },
    ]);
  }

  /** Prepares again every in-use ENI whose host side is not as it should be; returns the ENIs it fixed. */
  async repair(): Promise<string[]> {
    if (this.mode !== 'eniip') {
      return [];
    }
    const repaired: string[] = [];
    for (const eni of (await this.directory.refresh()).filter((e) => e.status === 'InUse')) {
      const problems = await this.preparer.check(eniSpecOf(eni));
      if (problems.length === 0) {
        continue;
      }
      try {
        await this.preparer.prepare(eniSpecOf(eni));
        repaired.push(eni.id);
        this.logger.info('ENI repaired', { eniId: eni.id, problems });
      } catch (error) {
        const missing = error instanceof DomainError && error.code === 'not-found';
        this.logger.warn(missing ? 'ENI not visible on the node yet' : 'ENI repair failed', {
          eniId: eni.id,
          error,
        });
      }
    }
    return repaired;
  }
}
