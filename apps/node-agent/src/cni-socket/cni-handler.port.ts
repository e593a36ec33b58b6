// What the node agent does for each CNI command. The socket server validates requests, calls one method and
// turns the outcome into CNI JSON (errors in cni-error.mapper.ts); implementations throw DomainError and never
// deal with CNI codes or HTTP.
import { type CniAgentRequest, type CniResult } from '@ipledger/proto';

/** STATUS: can the agent serve ADD right now? */
export type CniStatusReport =
  | { ready: true }
  | {
      ready: false;
      /** Why not, for the operator (e.g. "node not registered with the allocator yet"). */
      reason: string;
      /** Pods already on this node may have limited connectivity too (CNI code 51 instead of 50). */
      limitedConnectivity?: boolean;
    };

export interface CniHandler {
  /**
   * Sets up the pod's interface and returns what this plugin created: its interfaces, IPs (with `interface`
   * indexes into its own interfaces), routes and DNS. The server merges `netconf.prevResult` in front and
   * sets `cniVersion`, so handlers never do either. Idempotent on (container id, ifName).
   */
  add(request: CniAgentRequest): Promise<CniResult>;
  /** Tears down and releases. A DomainError `not-found` counts as success: DEL is idempotent. */
  del(request: CniAgentRequest): Promise<void>;
  /** Verifies the pod's network against `netconf.prevResult`; throws when it is not as it should be. */
  check(request: CniAgentRequest): Promise<void>;
  status(request: CniAgentRequest): Promise<CniStatusReport>;
  /** Removes this network's attachments absent from `netconf['cni.dev/valid-attachments']`. */
  gc(request: CniAgentRequest): Promise<void>;
}
