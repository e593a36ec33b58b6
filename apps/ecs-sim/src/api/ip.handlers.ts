import { apiErrors } from '../sim/api-error.js';
import { MAX_IPS_ON_DETACHED_ENI } from '../sim/ip-service.js';
import { type ActionHandler, checkRegion } from './action-handler.js';

export const assignPrivateIpAddresses: ActionHandler = async (params, sim) => {
  checkRegion(params, sim);
  const eniId = params.requireString('NetworkInterfaceId');
  const ips = params.list('PrivateIpAddress', MAX_IPS_ON_DETACHED_ENI);
  const count = params.int('SecondaryPrivateIpAddressCount', 1, MAX_IPS_ON_DETACHED_ENI);
  if (ips.length > 0 && count !== undefined) {
    throw apiErrors.parameterConflict('PrivateIpAddress.N', 'SecondaryPrivateIpAddressCount');
  }
  if (ips.length === 0 && count === undefined) {
    throw apiErrors.missingParameter('SecondaryPrivateIpAddressCount');
  }
  const assigned = await sim.ips.assign(eniId, count === undefined ? { ips } : { count });
  return {
    AssignedPrivateIpAddressesSet: { NetworkInterfaceId: eniId, PrivateIpSet: { PrivateIpAddress: assigned } },
  };
};

export const unassignPrivateIpAddresses: ActionHandler = async (params, sim) => {
  checkRegion(params, sim);
  const eniId = params.requireString('NetworkInterfaceId');
  const ips = params.list('PrivateIpAddress', MAX_IPS_ON_DETACHED_ENI);
  if (ips.length === 0) {
    throw apiErrors.missingParameter('PrivateIpAddress.N');
  }
  await sim.ips.unassign(eniId, ips);
  return {};
};
