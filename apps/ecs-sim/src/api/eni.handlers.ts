import { type RequestParams } from '../http/request-params.js';
import { ApiError, apiErrors } from '../sim/api-error.js';
import { type CreateEniCommand } from '../sim/eni-service.js';
import { type ActionHandler, checkRegion } from './action-handler.js';
import { eniView } from './response-views.js';

const MAX_TAGS = 20;
const MAX_SECURITY_GROUPS = 10;
const MAX_SECONDARY_AT_CREATE = 49;

export const createNetworkInterface: ActionHandler = (params, sim) => {
  checkRegion(params, sim);
  const eni = sim.enis.create(createCommand(params));
  const view = eniView(eni);
  return {
    NetworkInterfaceId: view.NetworkInterfaceId,
    NetworkInterfaceName: view.NetworkInterfaceName,
    Description: view.Description,
    Status: view.Status,
    Type: view.Type,
    VpcId: view.VpcId,
    VSwitchId: view.VSwitchId,
    ZoneId: view.ZoneId,
    MacAddress: view.MacAddress,
    PrivateIpAddress: view.PrivateIpAddress,
    ResourceGroupId: view.ResourceGroupId,
    OwnerId: view.OwnerId,
    ServiceManaged: view.ServiceManaged,
    SecurityGroupIds: view.SecurityGroupIds,
    PrivateIpSets: view.PrivateIpSets,
    Ipv6Sets: view.Ipv6Sets,
    Tags: view.Tags,
  };
};

export const attachNetworkInterface: ActionHandler = (params, sim) => {
  checkRegion(params, sim);
  const eniId = params.requireString('NetworkInterfaceId');
  const instanceId = params.requireString('InstanceId');
  sim.lifecycle.attach(eniId, instanceId, params.string('TrunkNetworkInstanceId') ?? null);
  return {};
};

export const detachNetworkInterface: ActionHandler = (params, sim) => {
  checkRegion(params, sim);
  sim.lifecycle.detach(params.requireString('NetworkInterfaceId'), params.requireString('InstanceId'));
  return {};
};

export const deleteNetworkInterface: ActionHandler = (params, sim) => {
  checkRegion(params, sim);
  sim.enis.delete(params.requireString('NetworkInterfaceId'));
  return {};
};

function createCommand(params: RequestParams): CreateEniCommand {
  const vswitchId = params.requireString('VSwitchId');
  const secondaryIps = params.list('PrivateIpAddress', MAX_SECONDARY_AT_CREATE);
  const secondaryCount = params.int('SecondaryPrivateIpAddressCount', 0, MAX_SECONDARY_AT_CREATE) ?? 0;
  if (secondaryIps.length > 0 && secondaryCount > 0) {
    throw apiErrors.parameterConflict('PrivateIpAddress.N', 'SecondaryPrivateIpAddressCount');
  }
  const instanceType = params.string('InstanceType');
  if (instanceType !== undefined && instanceType !== 'Trunk') {
    throw apiErrors.invalidParameter('InstanceType', 'only "Trunk" is supported');
  }
  return {
    vswitchId,
    securityGroupIds: securityGroups(params),
    tags: checkedTags(params),
    name: params.string('NetworkInterfaceName') ?? '',
    description: params.string('Description') ?? '',
    primaryIp: params.string('PrimaryIpAddress') ?? null,
    secondaryIps,
    secondaryCount,
    type: instanceType === 'Trunk' ? 'Trunk' : 'Secondary',
  };
}

/** One of SecurityGroupId and SecurityGroupIds.N is needed, and not both. */
function securityGroups(params: RequestParams): string[] {
  const single = params.string('SecurityGroupId');
  const many = params.list('SecurityGroupIds', MAX_SECURITY_GROUPS);
  if (single !== undefined && many.length > 0) {
    throw apiErrors.parameterConflict('SecurityGroupId', 'SecurityGroupIds.N');
  }
  if (single === undefined && many.length === 0) {
    throw apiErrors.missingParameter('SecurityGroupId');
  }
  return single === undefined ? many : [single];
}

function checkedTags(params: RequestParams): [string, string][] {
  const tags = params.tags(MAX_TAGS);
  const keys = new Set<string>();
  for (const [key] of tags) {
    if (keys.has(key)) {
      throw new ApiError('Duplicate.TagKey', 400, 'The Tag.N.Key contain duplicate key.');
    }
    if (key.startsWith('aliyun') || key.startsWith('acs:') || key.length > 128) {
      throw new ApiError('InvalidTagKey.Malformed', 400, 'The specified Tag.n.Key is not valid.');
    }
    keys.add(key);
  }
  return tags;
}
