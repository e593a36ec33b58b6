/** The prefix length of an IPv4 CIDR (`10.0.0.0/16` → 16); 32 when it carries none. */
export function prefixLengthOf(cidr: string): number {
  const length = Number(cidr.split('/')[1]);
  return Number.isInteger(length) ? length : 32;
}
