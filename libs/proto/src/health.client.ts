// Asks a gRPC server's standard health service (grpc.health.v1.Health/Check) how a service is doing.
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

type CheckMethod = (
  request: { service: string },
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, reply: { status: ServingStatus }) => void,
) => void;

/** The status of `service` ('' = the whole server); rejects when the server cannot be asked. */
export async function checkHealth(
  address: string,
  options: { service?: string; credentials?: grpc.ChannelCredentials; timeoutMs?: number } = {},
): Promise<ServingStatus> {
  const Constructor = grpc.makeGenericClientConstructor(healthService, 'Health');
  const client = new Constructor(address, options.credentials ?? grpc.credentials.createInsecure());
  try {
    return await new Promise<ServingStatus>((resolve, reject) => {
      const check = (client as unknown as { check: CheckMethod }).check.bind(client);
      check(
        { service: options.service ?? '' },
        new grpc.Metadata(),
        { deadline: Date.now() + (options.timeoutMs ?? 5_000) },
        (error, reply) => (error ? reject(error) : resolve(reply.status)),
      );
    });
  } finally {
    client.close();
  }
}
