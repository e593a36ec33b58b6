import { CLOUD_API_NAMES, type CloudApiName, isCloudApiName } from '@ipledger/domain';

// The sim answers exactly the APIs the cloud port calls.
export const API_NAMES = CLOUD_API_NAMES;
export type ApiName = CloudApiName;
export const isApiName = isCloudApiName;

/** The APIs that change state: an injected fault "after" the change applies only to these. */
export const MUTATING_APIS: ReadonlySet<ApiName> = new Set<ApiName>([
  'CreateNetworkInterface',
  'AttachNetworkInterface',
  'DetachNetworkInterface',
  'DeleteNetworkInterface',
  'AssignPrivateIpAddresses',
  'UnassignPrivateIpAddresses',
]);
