import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { IpEntity, type IpState } from './ip.entity.js';

export interface IpRecord {
  ip: string;
  node: string;
  eniId: string;
  vswitchId: string;
  isPrimary: boolean;
  state: IpState;
  cooldownUntil: Date | null;
}

export type IpStateCounts = Record<IpState, number>;

export function toIp(e: IpEntity): IpRecord {
  return {
    ip: e.ip,
    node: e.node,
    eniId: e.eniId,
    vswitchId: e.vswitchId,
    isPrimary: e.isPrimary,
    state: e.state,
    cooldownUntil: e.cooldownUntil,
  };
}

@Injectable()
export class IpRepository {
  private readonly repo: Repository<IpEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(IpEntity);
  }

  async listByNode(node: string): Promise<IpRecord[]> {
    const rows = await this.repo.find({ where: { node }, order: { eniId: 'ASC', ip: 'ASC' } });
    return rows.map(toIp);
  }

  async countByState(node: string): Promise<IpStateCounts> {
    const counts: IpStateCounts = { idle: 0, allocated: 0, releasing: 0, cooling: 0, unassigning: 0 };
    const rows = await this.repo
      .createQueryBuilder('ip')
      .select('ip.state', 'state')
      .addSelect('count(*)::int', 'n')
      .where('ip.node = :node', { node })
      .groupBy('ip.state')
      .getRawMany<{ state: IpState; n: number }>();
    for (const row of rows) {
      counts[row.state] = row.n;
    }
    return counts;
  }
}
