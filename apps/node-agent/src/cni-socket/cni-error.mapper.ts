// The one place where failures become CNI error JSON and an HTTP status. Handlers throw DomainError; anything
// else is unexpected and reaches the runtime as code 999 with its message only (the stack stays in our log).
import { DomainError, type DomainErrorCode } from '@ipledger/domain';
import { CniErrorCode, type CniCommand, type CniErrorBody, type CniProblem } from '@ipledger/proto';

export interface CniErrorReply {
  httpStatus: number;
  body: CniErrorBody;
}

/**
 * Fields that come from the runtime's environment (CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS,
 * CNI_COMMAND), by their request name or variable name. An invalid-argument on one of them is code 4, on
 * anything else (the network configuration) code 7.
 */
const ENV_FIELDS = new Set(['command', 'containerId', 'netns', 'ifName', 'args']);

export function isEnvironmentField(field: unknown): boolean {
  if (typeof field !== 'string') {
    return false;
  }
  return ENV_FIELDS.has(field) || field.startsWith('CNI_') || field.startsWith('args.');
}

/** CNI code for a DomainError on ADD, DEL, CHECK or GC (STATUS has its own two codes). */
function codeFor(code: DomainErrorCode, field: unknown): number {
  switch (code) {
    case 'invalid-argument':
      return isEnvironmentField(field) ? CniErrorCode.InvalidEnvironment : CniErrorCode.InvalidNetworkConfig;
    case 'not-found':
      return CniErrorCode.UnknownContainer;
    case 'resource-exhausted':
      return CniErrorCode.NoAddressAvailable;
    case 'failed-precondition':
    case 'unavailable':
    case 'conflict':
      return CniErrorCode.TryAgainLater;
    case 'illegal-state':
      return CniErrorCode.IllegalState;
    default: {
      const _never: never = code;
      return CniErrorCode.Internal;
    }
  }
}

export function httpStatusFor(cniCode: number): number {
  switch (cniCode) {
    case CniErrorCode.IncompatibleVersion:
    case CniErrorCode.UnsupportedField:
    case CniErrorCode.InvalidEnvironment:
    case CniErrorCode.DecodeFailure:
    case CniErrorCode.InvalidNetworkConfig:
      return 400;
    case CniErrorCode.UnknownContainer:
      return 404;
    case CniErrorCode.IllegalState:
      return 409;
    case CniErrorCode.TryAgainLater:
    case CniErrorCode.PluginNotAvailable:
    case CniErrorCode.LimitedConnectivityNoService:
    case CniErrorCode.NoAddressAvailable:
      return 503;
    default:
      return 500;
  }
}

export function errorReply(cniVersion: string, code: number, msg: string, details?: string): CniErrorReply {
  const body: CniErrorBody = { cniVersion, code, msg };
  if (details !== undefined && details !== '') {
    body.details = details;
  }
  return { httpStatus: httpStatusFor(code), body };
}

export const problemReply = (cniVersion: string, problem: CniProblem): CniErrorReply =>
  errorReply(cniVersion, problem.code, problem.msg, problem.details);

/** DomainError across module copies (a bundled agent may hold two); duck-typed on name and code. */
function asDomainError(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) {
    return err;
  }
  const candidate = err as Partial<DomainError> | null;
  return candidate?.name === 'DomainError' && typeof candidate.code === 'string' ? (err as DomainError) : undefined;
}

function detailsOf(err: DomainError): string | undefined {
  const entries = Object.entries(err.details ?? {}).filter(([, value]) => value !== undefined);
  return entries.length > 0 ? JSON.stringify(Object.fromEntries(entries)) : undefined;
}

/**
 * A handler's failure as the runtime sees it, or `undefined` when the failure means success: DEL and GC of
 * something already gone (DomainError `not-found`) succeed, so DEL stays idempotent.
 */
export function mapHandlerError(err: unknown, command: CniCommand, cniVersion: string): CniErrorReply | undefined {
  const domain = asDomainError(err);
  if (!domain) {
    const msg = err instanceof Error ? err.message : String(err);
    return errorReply(cniVersion, CniErrorCode.Internal, msg || 'internal error in the node agent');
  }
  if (domain.code === 'not-found' && (command === 'DEL' || command === 'GC')) {
    return undefined;
  }
  // STATUS asks "can you serve ADD?": anything but a malformed request means "not available".
  const code =
    command === 'STATUS' && domain.code !== 'invalid-argument'
      ? CniErrorCode.PluginNotAvailable
      : codeFor(domain.code, domain.details?.field);
  return errorReply(cniVersion, code, domain.message, detailsOf(domain));
}
