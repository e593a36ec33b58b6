import { Injectable } from '@nestjs/common';
import { DataSource, In, type Repository } from 'typeorm';
import { VSwitchEntity } from './vswitch.entity.js';

export interface VSwitchRecord {
  id: string;
  zone: string;
  cidr: string | null;
  availableIpCount: number | null;
  observedAt: Date | null;
  blockedUntil: Date | null;
  blockedReason: string | null;
}

export function toVSwitch(e: VSwitchEntity): VSwitchRecord {
  return {
    id: e.id,
    zone: e.zone,
    cidr: e.cidr,
    availableIpCount: e.availableIpCount,
    observedAt: e.observedAt,
    blockedUntil: e.blockedUntil,
    blockedReason: e.blockedReason,
  };
}

@Injectable()
export class VSwitchRepository {
  private readonly repo: Repository<VSwitchEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(VSwitchEntity);
  }

  async findByIds(ids: readonly string[]): Promise<VSwitchRecord[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await this.repo.findBy({ id: In([...new Set(ids)]) });
    return rows.map(toVSwitch);
  }
}
