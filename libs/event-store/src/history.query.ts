import type { HistoryQuery } from './event-store.port.js';
import { EVENT_COLUMNS } from './event-rows.js';

export const DEFAULT_HISTORY_LIMIT = 10_000;

// Each filter is written the way one of the expression indexes of the events table is defined, so that
// Postgres answers it from the index (an IP from three: data->>'ip', the GIN on data->'ips', data->>'primaryIp').
export function historyStatement(query: HistoryQuery): { sql: string; parameters: unknown[] } {
  const parameters: unknown[] = [];
  const param = (value: unknown, cast = ''): string => {
    parameters.push(value);
    return `$${parameters.length}${cast}`;
  };
  const where: string[] = [];
  if (query.ip !== undefined) {
    const ip = param(query.ip, '::text');
    where.push(`(data->>'ip' = ${ip} OR data->'ips' ? ${ip} OR data->>'primaryIp' = ${ip})`);
  }
  const equal = (expr: string, value: string | undefined) => {
    if (value !== undefined) {
      where.push(`${expr} = ${param(value, '::text')}`);
    }
  };
  equal(`data->'pod'->>'uid'`, query.podUid);
  equal(`data->'pod'->>'namespace'`, query.podNamespace);
  equal(`data->'pod'->>'name'`, query.podName);
  equal(`data->>'node'`, query.node);
  equal(`data->>'eniId'`, query.eniId);
  if (query.from) {
    where.push(`recorded_at >= ${param(query.from, '::timestamptz')}`);
  }
  if (query.to) {
    where.push(`recorded_at < ${param(query.to, '::timestamptz')}`);
  }
  if (query.afterPosition !== undefined) {
    where.push(`position > ${param(query.afterPosition, '::bigint')}`);
  }
  const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const limit = param(query.limit ?? DEFAULT_HISTORY_LIMIT, '::integer');
  return { sql: `SELECT ${EVENT_COLUMNS} FROM events ${filter} ORDER BY position LIMIT ${limit}`, parameters };
}
