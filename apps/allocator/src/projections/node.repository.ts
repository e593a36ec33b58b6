import type { InstanceLimits, NetworkMode } from '@ipledger/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { NodeEntity } from './node.entity.js';

export interface NodeRecord {
  name: string;
  instanceId: string;
  instanceType: string;
  zone: string;
  mode: NetworkMode;
  limits: InstanceLimits;
  maxPods: number;
  registeredAt: Date;
}

export function toNode(e: NodeEntity): NodeRecord {
  return {
    name: e.name,
    instanceId: e.instanceId,
    instanceType: e.instanceType,
    zone: e.zone,
    mode: e.mode as NetworkMode,
    limits: e.limits as unknown as InstanceLimits,
    maxPods: e.maxPods,
    registeredAt: e.registeredAt,
  };
}

@Injectable()
export class NodeRepository {
  private readonly repo: Repository<NodeEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(NodeEntity);
  }

  async findByName(name: string): Promise<NodeRecord | null> {
    const row = await this.repo.findOneBy({ name });
    return row ? toNode(row) : null;
  }

  async list(): Promise<NodeRecord[]> {
    const rows = await this.repo.find({ order: { name: 'ASC' } });
    return rows.map(toNode);
  }
}
