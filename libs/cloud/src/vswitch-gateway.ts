/**
 * The gateway of an Alibaba Cloud vSwitch: the first of the three reserved addresses at the top of its CIDR
 * (x.x.x.253 in a /24; 172.24.63.253 in 172.24.0.0/18).
 */
export function vswitchGateway(cidr: string): string {
  const [address = '', prefixText = ''] = cidr.split('/');
  const octets = address.split('.').map(Number);
  const prefix = Number(prefixText);
  if (
    octets.length !== 4 ||
    octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) ||
    !(prefix >= 0 && prefix <= 29)
  ) {
    throw new Error(`not a vSwitch CIDR: ${cidr}`);
  }
  const ip = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const gateway = ip - (ip % size) + size - 3;
  return [gateway >>> 24, (gateway >>> 16) & 255, (gateway >>> 8) & 255, gateway & 255].join('.');
}
