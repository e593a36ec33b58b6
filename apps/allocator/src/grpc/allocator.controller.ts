// The gRPC edge of ipledger.v1.Allocator. Each handler validates its request into a domain command or
// query (named mappers), calls one application-service method and maps the answer to the proto reply.
// Errors are DomainErrors; GrpcExceptionFilter turns them into statuses.
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

@Controller()
@UseFilters(GrpcExceptionFilter)
@UseInterceptors(GrpcTelemetryInterceptor)
@UseGuards(NodeIdentityGuard)
export class AllocatorController {
  constructor(
    @Inject(ALLOCATION_SERVICE) private readonly allocations: AllocationService,
    @Inject(NODE_SERVICE) private readonly nodes: NodeService,
    @Inject(POOL_QUERY_SERVICE) private readonly pools: PoolQueryService,
    @Inject(HISTORY_SERVICE) private readonly histories: HistoryService,
    @Inject(GRPC_EDGE_OPTIONS) private readonly options: GrpcEdgeOptions,
  ) {}

  @GrpcMethod('Allocator', 'RegisterNode')
  async registerNode(request: pb.RegisterNodeRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.NodeView> {
    const command = toRegisterNodeCommand(request);
    return toNodeViewMessage(await this.nodes.registerNode(command, this.context(metadata, call)));
  }

  @GrpcMethod('Allocator', 'AllocateIp')
  async allocateIp(request: pb.AllocateIpRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.Allocation> {
    const command = toAllocateIpCommand(request);
    return toAllocationMessage(await this.allocations.allocateIp(command, this.context(metadata, call)));
  }

  @GrpcMethod('Allocator', 'ReleaseIp')
  async releaseIp(request: pb.ReleaseIpRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.ReleaseIpReply> {
    const command = toReleaseIpCommand(request);
    return toReleaseIpReply(await this.allocations.releaseIp(command, this.context(metadata, call)));
  }

  @GrpcMethod('Allocator', 'GetAllocation')
  async getAllocation(
    request: pb.GetAllocationRequest,
    metadata: MetadataLike,
    call: GrpcCall,
  ): Promise<pb.Allocation> {
    const query = toAllocationQuery(request);
    return toAllocationMessage(await this.allocations.getAllocation(query, this.context(metadata, call)));
  }

  @GrpcMethod('Allocator', 'ListAllocations')
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
  async describePool(request: pb.DescribePoolRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.PoolView> {
    const node = toNodeName(request);
    return toPoolViewMessage(await this.pools.describePool(node, this.context(metadata, call)));
  }

  @GrpcMethod('Allocator', 'History')
  history(request: pb.HistoryRequest, metadata: MetadataLike, call: GrpcCall): Observable<pb.HistoryEntry> {
    const query = toHistoryQuery(request);
    return from(this.histories.history(query, this.context(metadata, call))).pipe(map(toHistoryEntryMessage));
  }

  @GrpcMethod('Allocator', 'ListNodes')
  async listNodes(_request: pb.ListNodesRequest, metadata: MetadataLike, call: GrpcCall): Promise<pb.ListNodesReply> {
    const nodes = await this.nodes.listNodes(this.context(metadata, call));
    return { nodes: nodes.map(toNodeViewMessage) };
  }

  private context(metadata: MetadataLike, call: GrpcCall): CallContext {
    return callContextOf(call, metadata, this.options.mutualTls);
  }
}
