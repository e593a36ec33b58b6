// A stable, human order for addresses: numeric for IPv4 (10.0.0.9 before 10.0.0.10), textual otherwise.

const ipv4Number = (ip: string): number | null => {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p))) {
    return null;
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

export function compareIps(a: string, b: string): number {
  const na = ipv4Number(a);
  const nb = ipv4Number(b);
  if (na !== null && nb !== null) {
    return na - nb;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
