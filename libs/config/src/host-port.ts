// `host:port` addresses in settings (gRPC, metrics, ecs-sim). IPv6 hosts are written in brackets.

export interface HostPort {
  host: string;
  port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** The address, or a sentence saying why it is not `host:port`. */
export function parseHostPort(text: string): HostPort | string {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match) {
    return `"${text}" is not host:port (e.g. 127.0.0.1:50051)`;
  }
  const [, host, portText] = match;
  const port = Number(portText);
  if (port < 1 || port > 65_535) {
    return `port ${portText} is out of range (1-65535)`;
  }
  if (!host.startsWith('[') && !IPV4.test(host) && !HOSTNAME.test(host)) {
    return `"${host}" is neither an IP address nor a host name`;
  }
  return { host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return `${host}:${port}`;
}
