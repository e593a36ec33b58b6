// The gRPC edge of ipledger.v1.Allocator. Each handler validates its request into a domain command or
// query (named mappers), calls one application-service method and maps the answer to the proto reply.
// Errors are DomainErrors; GrpcExceptionFilter turns them into statuses. Every RPC runs in its server span:
// through GrpcTelemetryInterceptor, or for the hot AllocateIp and ReleaseIp through TracedRpc (the same
// span, without the interceptor pipeline's per-call cost).
import { Controller, Inject, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { from, map, type Observable } from 'rxjs';
import type * as pb from '@ipledger/proto';
import { type MetadataLike } from '@ipledger/telemetry';
import {
  ALLOCATION_SERVICE,
  type AllocationService,
  type CallContext,
  HISTORY_SERVICE,
  type HistoryService,
  NODE_SERVICE,
  type NodeService,
  POOL_QUERY_SERVICE,
  type PoolQueryService,
} from '../ports/index.js';
import { NodeIdentityGuard } from '../tls/node-identity.guard.js';
import { toAllocateIpCommand, toAllocationQuery, toReleaseIpCommand } from './allocation-requests.mapper.js';
import {
  toAllocationMessage,
  toHistoryEntryMessage,
  toNodeViewMessage,
  toPoolViewMessage,
  toReleaseIpReply,
} from './allocator.reply-mapper.js';
import { callContextOf, type GrpcCall } from './call-context.factory.js';
import { GRPC_EDGE_OPTIONS, type GrpcEdgeOptions } from './grpc-edge.options.js';
import { GrpcExceptionFilter } from './grpc-exception.filter.js';
import { GrpcTelemetryInterceptor } from './grpc-telemetry.interceptor.js';
import { toHistoryQuery } from './history-request.mapper.js';
import { toNodeName, toRegisterNodeCommand } from './node-requests.mapper.js';
import { TracedRpc } from './traced-rpc.js';

@Controller()
@UseFilters(GrpcExceptionFilter)
@UseGuards(NodeIdentityGuard)
export class AllocatorController {
  constructor(
    @Inject(ALLOCATION_SERVICE) private readonly allocations: AllocationService,
    @Inject(NODE_SERVICE) private readonly nodes: NodeService,
    @Inject(POOL_QUERY_SERVICE) private readonly pools: PoolQueryService,
    @Inject(HISTORY_SERVICE) private readonly histories: HistoryService,
    @Inject(GRPC_EDGE_OPTIONS) private readonly options: GrpcEdgeOptions,
    private readonly traced: TracedRpc,
  ) {}

  @GrpcMethod('Allocator', 'RegisterNode')
  @UseInterceptors(GrpcTelemetryInterceptor)
  async registerNode(request: pb.RegisterNodeRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.NodeView> {
    const command = toRegisterNodeCommand(request);
    return toNodeViewMessage(await this.nodes.registerNode(command, this.context(metadata, call)));
  }

  @GrpcMethod('Allocator', 'AllocateIp')
  allocateIp(request: pb.AllocateIpRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.Allocation> {
    return this.traced.run('AllocateIp', metadata, async () => {
      const command = toAllocateIpCommand(request);
      return toAllocationMessage(await this.allocations.allocateIp(command, this.context(metadata, call)));
    });
  }

  @GrpcMethod('Allocator', 'ReleaseIp')
  releaseIp(request: pb.ReleaseIpRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.ReleaseIpReply> {
    return this.traced.run('ReleaseIp', metadata, async () => {
      const command = toReleaseIpCommand(request);
      return toReleaseIpReply(await this.allocations.releaseIp(command, this.context(metadata, call)));
    });
  }

  @GrpcMethod('Allocator', 'GetAllocation')
  @UseInterceptors(GrpcTelemetryInterceptor)
  async getAllocation(
    request: pb.GetAllocationRequest,
    metadata: MetadataLike,
    call: GrpcCall,
  ): Promise<pb.Allocation> {
    const query = toAllocationQuery(request);
    return toAllocationMessage(await this.allocations.getAllocation(query, this.context(metadata, call)));
  }

  @GrpcMethod('Allocator', 'ListAllocations')
  @UseInterceptors(GrpcTelemetryInterceptor)
  async listAllocations(
    request: pb.ListAllocationsRequest,
    metadata: MetadataLike,
    call: GrpcCall,
  ): Promise<pb.ListAllocationsReply> {
    const node = toNodeName(request);
    const allocations = await this.allocations.listAllocations(node, this.context(metadata, call));
    return { allocations: allocations.map(toAllocationMessage) };
  }

  @GrpcMethod('Allocator', 'DescribePool')
  @UseInterceptors(GrpcTelemetryInterceptor)
  async describePool(request: pb.DescribePoolRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.PoolView> {
    const node = toNodeName(request);
    return toPoolViewMessage(await this.pools.describePool(node, this.context(metadata, call)));
  }

  @GrpcMethod('Allocator', 'History')
  @UseInterceptors(GrpcTelemetryInterceptor)
  history(request: pb.HistoryRequest, metadata: MetadataLike, call: GrpcCall): Observable<pb.HistoryEntry> {
    const query = toHistoryQuery(request);
    return from(this.histories.history(query, this.context(metadata, call))).pipe(map(toHistoryEntryMessage));
  }

  @GrpcMethod('Allocator', 'ListNodes')
  @UseInterceptors(GrpcTelemetryInterceptor)
  async listNodes(_request: pb.ListNodesRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.ListNodesReply> {
    const nodes = await this.nodes.listNodes(this.context(metadata, call));
    return { nodes: nodes.map(toNodeViewMessage) };
  }

  private context(metadata: MetadataLike, call: GrpcCall): CallContext {
    return callContextOf(call, metadata, this.options.mutualTls);
  }
}
