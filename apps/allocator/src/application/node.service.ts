import type {
  CallContext,
  NodeService,
  NodeView,
  PoolQueryService,
  PoolView,
  RegisterNodeCommand,
} from '../ports/index.js';
import { callMetadata } from './call-metadata.js';
import type { LedgerViewsReader } from './ledger-views.reader.js';
import type { RegisterNodeHandler } from './register-node.handler.js';

/** The NodeService and PoolQueryService ports. */
export class LedgerNodeService implements NodeService, PoolQueryService {
  constructor(
    private readonly registrar: RegisterNodeHandler,
    private readonly views: LedgerViewsReader,
  ) {}

  registerNode(command: RegisterNodeCommand, ctx: CallContext): Promise<NodeView> {
    return this.registrar.register(command, callMetadata(ctx));
  }

  listNodes(_ctx: CallContext): Promise<NodeView[]> {
    return this.views.listNodes();
  }

  describePool(node: string, _ctx: CallContext): Promise<PoolView> {
    return this.views.describePool(node);
  }
}
