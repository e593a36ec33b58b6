// Checks for the eni-config keys that hold collections: vSwitches, security groups, tags, the Service CIDR.
import { type ProblemList } from './config-error.js';
import { isIpv4 } from './host-port.js';
import { describe, isPlainObject } from './json-values.js';

const ZONE_ID = /^[a-z]{2}(-[a-z0-9]+)+$/;
const VSWITCH_ID = /^vsw-[0-9a-z]+$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-z]+$/;
/** Alibaba Cloud's limit of security groups per ENI. */
const MAX_SECURITY_GROUPS = 10;
/** Alibaba Cloud allows 20 tags per ENI; ipledger keeps two for its cluster and creator tags. */
const MAX_ENI_TAGS = 18;
const RESERVED_TAG_PREFIXES = ['aliyun', 'acs:', 'http://', 'https://'];
/** Tag keys under this prefix are ipledger's own (cluster, creator); users may not set them. */
export const IPLEDGER_TAG_PREFIX = 'ipledger.io/';

export function checkVSwitches(value: unknown, problems: ProblemList): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  if (value === undefined || (isPlainObject(value) && Object.keys(value).length === 0)) {
    problems.add('vswitches', 'required: at least one zone with its vSwitch ids, e.g. {"cn-hangzhou-i": ["vsw-…"]}');
    return result;
  }
  if (!isPlainObject(value)) {
    problems.add('vswitches', 'must be an object of zone id → list of vSwitch ids');
    return result;
  }
  const seenIn = new Map<string, string>();
  for (const [zone, ids] of Object.entries(value)) {
    if (!ZONE_ID.test(zone)) {
      problems.add('vswitches', `"${zone}" is not a zone id (e.g. cn-hangzhou-i)`);
      continue;
    }
    if (!Array.isArray(ids) || ids.length === 0) {
      problems.add(`vswitches.${zone}`, 'must be a non-empty list of vSwitch ids');
      continue;
    }
    result[zone] = ids.flatMap((id: unknown, index) => {
      const where = `vswitches.${zone}[${index}]`;
      if (typeof id !== 'string' || !VSWITCH_ID.test(id)) {
        problems.add(where, `${describe(id)} is not a vSwitch id (vsw-…)`);
        return [];
      }
      const earlier = seenIn.get(id);
      if (earlier !== undefined) {
        problems.add(where, `"${id}" is already listed under ${earlier}`);
        return [];
      }
      seenIn.set(id, zone);
      return [id];
    });
  }
  return result;
}

export function checkSecurityGroups(single: unknown, list: unknown, problems: ProblemList): string[] {
  const ids: string[] = [];
  const take = (where: string, id: unknown): void => {
    if (typeof id !== 'string' || !SECURITY_GROUP_ID.test(id)) {
      problems.add(where, `${describe(id)} is not a security group id (sg-…)`);
    } else if (!ids.includes(id)) {
      ids.push(id);
    }
  };
  if (single !== undefined && single !== '') {
    take('security_group', single);
  }
  if (Array.isArray(list)) {
    list.forEach((id: unknown, index) => take(`security_groups[${index}]`, id));
  } else if (list !== undefined) {
    problems.add('security_groups', 'must be a list of security group ids');
  }
  if (ids.length > MAX_SECURITY_GROUPS) {
    problems.add('security_groups', `${ids.length} security groups given; an ENI can have at most 10`);
  }
  if (ids.length === 0 && single === undefined && list === undefined) {
    problems.add('security_group / security_groups', 'required: at least one security group id (sg-…)');
  }
  return ids;
}

export function checkEniTags(value: unknown, problems: ProblemList): Record<string, string> {
  const tags: Record<string, string> = {};
  if (value === undefined) {
    return tags;
  }
  if (!isPlainObject(value)) {
    problems.add('eni_tags', 'must be an object of tag key → value');
    return tags;
  }
  for (const [key, tagValue] of Object.entries(value)) {
    const where = `eni_tags.${key}`;
    if (key.length === 0 || key.length > 128) {
      problems.add('eni_tags', `tag key "${key}" must be 1-128 characters`);
    } else if (RESERVED_TAG_PREFIXES.some((prefix) => key.toLowerCase().startsWith(prefix))) {
      problems.add(where, 'tag keys must not start with "aliyun", "acs:", "http://" or "https://"');
    } else if (key.startsWith(IPLEDGER_TAG_PREFIX)) {
      problems.add(where, `keys under "${IPLEDGER_TAG_PREFIX}" are set by ipledger itself`);
    } else if (typeof tagValue !== 'string' || tagValue.length > 128) {
      problems.add(where, `${describe(tagValue)} is not a string of at most 128 characters`);
    } else {
      tags[key] = tagValue;
    }
  }
  if (Object.keys(value).length > MAX_ENI_TAGS) {
    problems.add('eni_tags', `${Object.keys(value).length} tags given; at most ${MAX_ENI_TAGS} (an ENI holds 20)`);
  }
  return tags;
}

export function checkServiceCidr(value: unknown, problems: ProblemList): string | null {
  if (value === undefined || value === null || value === '') {
    return null;
  }
  if (typeof value !== 'string') {
    problems.add('service_cidr', `${describe(value)} is not a CIDR`);
    return null;
  }
  const parts = value.split(',').map((part) => part.trim());
  if (parts.some((part) => part.includes(':'))) {
    problems.add('service_cidr', 'an IPv6 Service CIDR needs ip_stack "dual", which ipledger does not support yet');
    return null;
  }
  if (parts.length !== 1) {
    problems.add('service_cidr', `"${value}" lists ${parts.length} CIDRs; give one IPv4 CIDR`);
    return null;
  }
  const problem = ipv4CidrProblem(parts[0]);
  if (problem !== null) {
    problems.add('service_cidr', problem);
    return null;
  }
  return parts[0];
}

/** Why the text is not an IPv4 network in CIDR notation, or null when it is one. */
export function ipv4CidrProblem(text: string): string | null {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!match || !isIpv4(match[1]) || Number(match[2]) > 32) {
    return `"${text}" is not an IPv4 CIDR (e.g. 172.21.0.0/20)`;
  }
  const bits = Number(match[2]);
  const address = match[1].split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - bits);
  const network = Math.floor(address / size) * size;
  if (network !== address) {
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
    return `"${text}" has host bits set; the network is ${dotted}/${bits}`;
  }
  return null;
}
