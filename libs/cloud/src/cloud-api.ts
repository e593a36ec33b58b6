/** The ECS OpenAPI actions the cloud port uses, named as the API names them. */
export const CLOUD_API_NAMES = [
  'DescribeInstanceTypes',
  'DescribeVSwitches',
  'CreateNetworkInterface',
  'AttachNetworkInterface',
  'DetachNetworkInterface',
  'DeleteNetworkInterface',
  'DescribeNetworkInterfaces',
  'AssignPrivateIpAddresses',
  'UnassignPrivateIpAddresses',
] as const;

export type CloudApiName = (typeof CLOUD_API_NAMES)[number];

/**
 * Calls per minute per API (DESIGN §6; the same figures Terway uses as its client-side defaults). Overridable
 * with the eni-config `rate_limit` key; 0 or less means "no local limit".
 */
export const DEFAULT_RATE_LIMITS: Record<CloudApiName, number> = {
  CreateNetworkInterface: 500,
  AttachNetworkInterface: 500,
  DeleteNetworkInterface: 500,
  DetachNetworkInterface: 400,
  AssignPrivateIpAddresses: 400,
  UnassignPrivateIpAddresses: 400,
  DescribeNetworkInterfaces: 800,
  DescribeInstanceTypes: 400,
  DescribeVSwitches: 300,
};
