import { type RequestParams } from '../http/request-params.js';
import { apiErrors } from '../sim/api-error.js';
import { eniIps, type SimEni } from '../sim/sim-model.js';
import { type ActionHandler, checkRegion } from './action-handler.js';
import { eniView, instanceTypeView, vswitchView } from './response-views.js';

const MAX_INSTANCE_TYPES_PER_CALL = 10;

export const describeInstanceTypes: ActionHandler = (params, sim) => {
  const wanted = params.list('InstanceTypes', MAX_INSTANCE_TYPES_PER_CALL);
  const family = params.string('InstanceTypeFamily');
  const types = sim.world.catalog
    .all()
    .filter((t) => wanted.length === 0 || wanted.includes(t.instanceTypeId))
    .filter((t) => family === undefined || t.instanceTypeFamily === family);
  return { NextToken: '', InstanceTypes: { InstanceType: types.map(instanceTypeView) } };
};

export const describeVSwitches: ActionHandler = (params, sim) => {
  checkRegion(params, sim);
  const id = params.string('VSwitchId');
  const vpcId = params.string('VpcId');
  const zoneId = params.string('ZoneId');
  const pageNumber = params.int('PageNumber', 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const pageSize = params.int('PageSize', 1, 50) ?? 10;
  const matching = [...sim.world.vswitches.values()].filter(
    (v) =>
      (id === undefined || v.id === id) &&
      (vpcId === undefined || v.vpcId === vpcId) &&
      (zoneId === undefined || v.zoneId === zoneId),
  );
  const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    TotalCount: matching.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    VSwitches: { VSwitch: page.map(vswitchView) },
  };
};

export const describeNetworkInterfaces: ActionHandler = (params, sim) => {
  checkRegion(params, sim);
  const matches = eniFilter(params);
  const enis = [...sim.world.enis.values()].filter(matches);
  const tokenMode = params.string('NextToken') !== undefined || params.string('MaxResults') !== undefined;
  const page = tokenMode ? pageByToken(params, enis) : pageByNumber(params, enis);
  return {
    TotalCount: enis.length,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
    NextToken: page.nextToken,
    NetworkInterfaceSets: { NetworkInterfaceSet: page.items.map(eniView) },
  };
};

interface Page {
  items: SimEni[];
  pageNumber: number;
  pageSize: number;
  nextToken: string;
}

function pageByNumber(params: RequestParams, enis: SimEni[]): Page {
  const pageNumber = params.int('PageNumber', 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const pageSize = params.int('PageSize', 1, 100) ?? 10;
  const items = enis.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return { items, pageNumber, pageSize, nextToken: '' };
}

/** NextToken names the last ENI returned, so ENIs created or deleted between pages do not shift the rest. */
function pageByToken(params: RequestParams, enis: SimEni[]): Page {
  const maxResults = params.int('MaxResults', 1, 500) ?? 10;
  const token = params.string('NextToken');
  const after = token === undefined ? 0 : decodeToken(token);
  const rest = enis.filter((e) => e.seq > after);
  const items = rest.slice(0, maxResults);
  const last = items[items.length - 1];
  const nextToken = rest.length > items.length && last ? encodeToken(last.seq) : '';
  return { items, pageNumber: 1, pageSize: maxResults, nextToken };
}

function encodeToken(seq: number): string {
  return Buffer.from(`eni-seq:${seq}`).toString('base64url');
}

function decodeToken(token: string): number {
  const match = /^eni-seq:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!match) {
    throw apiErrors.invalidParameter('NextToken', 'not a token this API returned');
  }
  return Number(match[1]);
}

function eniFilter(params: RequestParams): (eni: SimEni) => boolean {
  const ids = params.list('NetworkInterfaceId', 100);
  const ips = params.list('PrivateIpAddress', 100);
  const tags = params.tags(20);
  const scalar: [string | undefined, (e: SimEni) => string | null][] = [
    [params.string('InstanceId'), (e) => e.instanceId],
    [params.string('VSwitchId'), (e) => e.vswitchId],
    [params.string('VpcId'), (e) => e.vpcId],
    [params.string('Status'), (e) => e.status],
    [params.string('Type'), (e) => e.type],
    [params.string('PrimaryIpAddress'), (e) => e.primaryIp],
    [params.string('NetworkInterfaceName'), (e) => e.name],
  ];
  const securityGroup = params.string('SecurityGroupId');
  return (eni) =>
    (ids.length === 0 || ids.includes(eni.id)) &&
    (ips.length === 0 || eniIps(eni).some((ip) => ips.includes(ip))) &&
    tags.every(([key, value]) => eni.tags.has(key) && (value === '' || eni.tags.get(key) === value)) &&
    scalar.every(([wanted, field]) => wanted === undefined || field(eni) === wanted) &&
    (securityGroup === undefined || eni.securityGroupIds.includes(securityGroup));
}
