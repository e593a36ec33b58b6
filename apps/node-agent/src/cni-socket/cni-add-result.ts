// The ADD result as the runtime must see it: in the config's cniVersion, and, when this plugin runs after
// others in a chain, the previous plugins' result passed through in front of ours (CNI spec: a plugin given
// a prevResult must pass it through or modify it).
import { type CniResult, type IpledgerNetConf } from '@ipledger/proto';

export function finalizeAddResult(netconf: IpledgerNetConf, own: CniResult): CniResult {
  const prev = netconf.prevResult;
  const offset = prev?.interfaces?.length ?? 0;
  const ownIps = (own.ips ?? []).map((ip) =>
    ip.interface === undefined ? ip : { ...ip, interface: ip.interface + offset },
  );
  const result: CniResult = { cniVersion: netconf.cniVersion };
  const interfaces = [...(prev?.interfaces ?? []), ...(own.interfaces ?? [])];
  const ips = [...(prev?.ips ?? []), ...ownIps];
  const routes = [...(prev?.routes ?? []), ...(own.routes ?? [])];
  if (interfaces.length > 0) {
    result.interfaces = interfaces;
  }
  if (ips.length > 0) {
    result.ips = ips;
  }
  if (routes.length > 0) {
    result.routes = routes;
  }
  const dns = own.dns ?? prev?.dns;
  if (dns !== undefined) {
    result.dns = dns;
  }
  return result;
}
