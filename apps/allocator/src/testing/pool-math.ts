// Arithmetic the integration tests check the allocator against.

const toNumber = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toNumber(ip) & mask) >>> 0 === (toNumber(base ?? '') & mask) >>> 0;
}

export interface MinimumCalls {
  creates: number;
  attaches: number;
  assigns: number;
}

/**
 * The fewest cloud calls that give `pods` addresses on a fresh node whose ENIs hold `perEni` addresses each
 * (the primary included): whole ENIs first, secondary addresses ten per AssignPrivateIpAddresses call.
 */
export function minimumCalls(pods: number, perEni: number): MinimumCalls {
  const enis = Math.ceil(pods / perEni);
  let assigns = 0;
  for (let i = 0; i < enis; i++) {
    const onThis = Math.min(perEni, pods - i * perEni);
    assigns += Math.ceil(Math.max(0, onThis - 1) / 10);
  }
  return { creates: enis, attaches: enis, assigns };
}
