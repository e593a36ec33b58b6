// The cloud APIs ipledger calls, named as the ECS OpenAPI names them, and how many calls per minute each may
// make by default (DESIGN.md §6, the figures Terway's client uses). The eni-config `rate_limit` key overrides
// single APIs. One list for the cloud port, the config parser and ecs-sim.

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

export const DEFAULT_RATE_LIMITS: Readonly<Record<CloudApiName, number>> = {
  CreateNetworkInterface: 500,
  AttachNetworkInterface: 500,
  DeleteNetworkInterface: 500,
  DetachNetworkInterface: 400,
  AssignPrivateIpAddresses: 400,
  UnassignPrivateIpAddresses: 400,
  DescribeNetworkInterfaces: 800,
  DescribeInstanceTypes: 300,
  DescribeVSwitches: 300,
};

export function isCloudApiName(value: string): value is CloudApiName {
  return (CLOUD_API_NAMES as readonly string[]).includes(value);
}
