import { Injectable } from '@nestjs/common';
import { DataSource, In, type Repository } from 'typeorm';
import { EniEntity, type EniRowStatus } from './eni.entity.js';

export interface EniRecord {
  id: string;
  node: string;
  mac: string;
  vswitchId: string;
  vswitchCidr: string;
  gateway: string;
  primaryIp: string;
  status: EniRowStatus;
  deviceIndex: number | null;
  trunk: boolean;
  securityGroupIds: string[];
  clientToken: string;
  createdAt: Date;
}

export function toEni(e: EniEntity): EniRecord {
  return {
    id: e.id,
    node: e.node,
    mac: e.mac,
    vswitchId: e.vswitchId,
    vswitchCidr: e.vswitchCidr,
    gateway: e.gateway,
    primaryIp: e.primaryIp,
    status: e.status,
    deviceIndex: e.deviceIndex,
    trunk: e.trunk,
    securityGroupIds: e.securityGroupIds,
    clientToken: e.clientToken,
    createdAt: e.createdAt,
  };
}

@Injectable()
export class EniRepository {
  private readonly repo: Repository<EniEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(EniEntity);
  }

  async listByNode(node: string): Promise<EniRecord[]> {
    const rows = await this.repo.find({ where: { node }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toEni);
  }

  async findByIds(ids: readonly string[]): Promise<EniRecord[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await this.repo.findBy({ id: In([...new Set(ids)]) });
    return rows.map(toEni);
  }

  /** Every ENI the ledger knows, for the leak sweeper. */
  async listIds(): Promise<Set<string>> {
    const rows = await this.repo.find({ select: { id: true } });
    return new Set(rows.map((r) => r.id));
  }
}
