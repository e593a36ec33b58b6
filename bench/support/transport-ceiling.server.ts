// The gRPC transport ceiling's server, run as its own process (`node transport-ceiling.server.js`): plain
// grpc-js serving the real ipledger.v1.Allocator service from libs/proto, where AllocateIp and ReleaseIp
// answer at once with replies shaped like the allocator's (every field set, same kind of values) and nothing
// else happens: no Nest, no ledger, no tracing. It listens on a free loopback port and prints
// `{"port": <n>}` on stdout once it serves; SIGTERM (or stdin closing, when the parent dies) ends it.
import * as grpc from '@grpc/grpc-js';
import {
  type Allocation,
  type AllocateIpRequest,
  loadAllocatorPackage,
  type ReleaseIpReply,
  type ReleaseIpRequest,
} from '@ipledger/proto';

interface ServiceClient {
  service: grpc.ServiceDefinition;
}

const VSWITCH = { id: 'vsw-benchpods1', cidr: '10.20.0.0/19', gateway: '10.20.31.253', prefix: 19 };
const COOLDOWN_MS = 1_000;

let allocated = 0;

/** The n-th address of the pods' vSwitch, as the allocator would hand out. */
function addressOf(n: number): string {
  const offset = 1 + (n % 8_000);
  return `10.20.${offset >> 8}.${offset & 255}`;
}

function allocateIp(
  call: grpc.ServerUnaryCall<AllocateIpRequest, Allocation>,
  callback: grpc.sendUnaryData<Allocation>,
): void {
  const request = call.request;
  allocated += 1;
  callback(null, {
    pod: { namespace: request.pod?.namespace ?? '', name: request.pod?.name ?? '', uid: request.pod?.uid ?? '' },
    node: request.node ?? '',
    ip: addressOf(allocated),
    ipv6: '',
    prefix_length: VSWITCH.prefix,
    gateway: VSWITCH.gateway,
    vswitch_id: VSWITCH.id,
    vswitch_cidr: VSWITCH.cidr,
    eni: { id: 'eni-bench0000000000001', mac: '00:16:3e:00:00:01', trunk: false, vlan_id: 0 },
    mode: 'eniip',
    service_cidr: '',
    fixed: false,
    container_id: request.container_id ?? '',
    allocated_at: new Date().toISOString(),
  });
}

function releaseIp(
  _call: grpc.ServerUnaryCall<ReleaseIpRequest, ReleaseIpReply>,
  callback: grpc.sendUnaryData<ReleaseIpReply>,
): void {
  callback(null, {
    released: true,
    ip: addressOf(allocated),
    held_until: new Date(Date.now() + COOLDOWN_MS).toISOString(),
  });
}

// The other RPCs are left out: grpc-js answers them UNIMPLEMENTED by itself.
const pkg = loadAllocatorPackage() as unknown as { ipledger: { v1: { Allocator: ServiceClient } } };
const server = new grpc.Server();
server.addService(pkg.ipledger.v1.Allocator.service, { AllocateIp: allocateIp, ReleaseIp: releaseIp });

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`transport ceiling: cannot listen: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

const stop = () => {
  server.forceShutdown();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
