import type { OwnerRef, PodRef } from '@ipledger/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type FindOptionsWhere, type Repository } from 'typeorm';
import { AllocationEntity } from './allocation.entity.js';

/** An allocation as the ledger's projection holds it; `releasedAt` null while the pod holds the IP. */
export interface AllocationRecord {
  id: string;
  node: string;
  ip: string;
  eniId: string;
  pod: PodRef;
  containerId: string;
  owner: OwnerRef | null;
  idempotencyKey: string;
  allocatedAt: Date;
  releaseRequestedAt: Date | null;
  teardownConfirmedAt: Date | null;
  releasedAt: Date | null;
  releaseReason: string | null;
  cooldownUntil: Date | null;
}

export function toAllocation(e: AllocationEntity): AllocationRecord {
  const owner = e.ownerKind === null ? null : { kind: e.ownerKind, name: e.ownerName ?? '', uid: e.ownerUid ?? '' };
  return {
    id: e.id,
    node: e.node,
    ip: e.ip,
    eniId: e.eniId,
    pod: { namespace: e.podNamespace, name: e.podName, uid: e.podUid },
    containerId: e.containerId,
    owner,
    idempotencyKey: e.idempotencyKey,
    allocatedAt: e.allocatedAt,
    releaseRequestedAt: e.releaseRequestedAt,
    teardownConfirmedAt: e.teardownConfirmedAt,
    releasedAt: e.releasedAt,
    releaseReason: e.releaseReason,
    cooldownUntil: e.cooldownUntil,
  };
}

/** Pod lookups accept a uid, or a namespace and name (the uid wins when both are given). */
export interface PodQuery {
  namespace?: string;
  name?: string;
  uid?: string;
}

@Injectable()
export class AllocationRepository {
  private readonly repo: Repository<AllocationEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(AllocationEntity);
  }

  async findActiveByIp(ip: string): Promise<AllocationRecord | null> {
    const row = await this.repo.findOneBy({ ip, releasedAt: IsNull() });
    return row ? toAllocation(row) : null;
  }

  async findActiveByPod(pod: PodQuery): Promise<AllocationRecord[]> {
    const where: FindOptionsWhere<AllocationEntity> = { releasedAt: IsNull() };
    if (pod.uid) {
      where.podUid = pod.uid;
    } else if (pod.namespace && pod.name) {
      where.podNamespace = pod.namespace;
      where.podName = pod.name;
    } else {
      return [];
    }
    const rows = await this.repo.find({ where, order: { allocatedAt: 'ASC' } });
    return rows.map(toAllocation);
  }

  async listActiveByNode(node: string): Promise<AllocationRecord[]> {
    const rows = await this.repo.find({ where: { node, releasedAt: IsNull() }, order: { allocatedAt: 'ASC' } });
    return rows.map(toAllocation);
  }

  /** Every allocation, released ones included, oldest first: for audits and rebuild checks. */
  async listAll(): Promise<AllocationRecord[]> {
    const rows = await this.repo.find({ order: { allocatedAt: 'ASC', id: 'ASC' } });
    return rows.map(toAllocation);
  }
}
