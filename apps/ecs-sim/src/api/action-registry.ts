import { type ActionHandler } from './action-handler.js';
import { type ApiName } from './api-names.js';
import { describeInstanceTypes, describeNetworkInterfaces, describeVSwitches } from './describe.handlers.js';
import {
  attachNetworkInterface,
  createNetworkInterface,
  deleteNetworkInterface,
  detachNetworkInterface,
} from './eni.handlers.js';
import { assignPrivateIpAddresses, unassignPrivateIpAddresses } from './ip.handlers.js';

export const ACTION_HANDLERS: Record<ApiName, ActionHandler> = {
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeVSwitches: describeVSwitches,
  CreateNetworkInterface: createNetworkInterface,
  AttachNetworkInterface: attachNetworkInterface,
  DetachNetworkInterface: detachNetworkInterface,
  DeleteNetworkInterface: deleteNetworkInterface,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  AssignPrivateIpAddresses: assignPrivateIpAddresses,
  UnassignPrivateIpAddresses: unassignPrivateIpAddresses,
};

/** The APIs whose ClientToken parameter makes a repeated request return the first answer. */
export const CLIENT_TOKEN_APIS: ReadonlySet<ApiName> = new Set<ApiName>([
  'CreateNetworkInterface',
  'AssignPrivateIpAddresses',
]);
