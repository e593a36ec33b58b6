// Turns whatever a handler threw into a gRPC status (through the one mapping in grpc-status.mapper.ts).
// Errors nobody meant to raise are logged with their stack here and reach the client as INTERNAL.
import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';
import { rpcNameOf } from './rpc-name.js';
import { statusName, toGrpcFailure } from './grpc-status.mapper.js';

@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly log = new Logger('AllocatorGrpc');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const failure = toGrpcFailure(exception);
    const rpc = rpcNameOf(host);
    if (failure.unexpected) {
      this.log.error(`${rpc} failed unexpectedly`, exception instanceof Error ? exception.stack : String(exception));
    } else {
      this.log.debug?.(`${rpc} → ${statusName(failure.code)}: ${failure.message}`);
    }
    // grpc-js reads `code`, `details` and `metadata` (sent as trailers) from the error.
    return throwError(() =>
      Object.assign(new Error(failure.message), {
        code: failure.code,
        details: failure.message,
        metadata: failure.metadata,
      }),
    );
  }
}
