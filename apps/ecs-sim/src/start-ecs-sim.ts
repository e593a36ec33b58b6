import { EcsSimAdmin } from './admin/ecs-sim-admin.js';
import { type EcsSimOptions } from './config/ecs-sim-options.js';
import { EcsSimCore } from './ecs-sim-core.js';
import { SimHttpServer } from './http/sim-http-server.js';

export interface RunningEcsSim {
  /** `host:port`, as the SDK's `endpoint` wants it (with `protocol: 'http'`). */
  endpoint: string;
  regionId: string;
  admin: EcsSimAdmin;
  close(): Promise<void>;
}

/** Starts an ecs-sim: its vSwitches and instances exist, and it answers on `endpoint`, when this resolves. */
export async function startEcsSim(options: EcsSimOptions = {}): Promise<RunningEcsSim> {
  const core = new EcsSimCore(options);
  const admin = new EcsSimAdmin(core);
  const server = new SimHttpServer(core.dispatcher, admin, core.log);
  try {
    await core.populate(options);
    const endpoint = await server.listen(options.host ?? '127.0.0.1', options.port ?? 0);
    let closing: Promise<void> | undefined;
    return {
      endpoint,
      regionId: core.world.regionId,
      admin,
      // Idempotent: a second close waits for the first.
      close: () => (closing ??= server.close().then(() => core.close())),
    };
  } catch (error) {
    await core.close();
    throw error;
  }
}
