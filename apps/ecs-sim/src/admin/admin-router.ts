import { AdminError } from '../sim/instance-service.js';
import { configPatch, exhaustFlag, faultsPatch, instanceInput, vswitchInput } from './admin-body.js';
import { type EcsSimAdmin } from './ecs-sim-admin.js';

export interface AdminResponse {
  status: number;
  body: unknown;
}

type Route = (admin: EcsSimAdmin, body: unknown, id: string) => Promise<AdminResponse> | AdminResponse;

const ok = (body: unknown, status = 200): AdminResponse => ({ status, body });

/** `METHOD /admin/<path>` with `:id` standing for one path segment. */
const ROUTES: Record<string, Route> = {
  'GET /admin/state': (admin) => ok(admin.state()),
  'GET /admin/calls': (admin) => ok(admin.callCounts()),
  'POST /admin/calls/reset': (admin) => (admin.resetCallCounts(), ok(admin.callCounts())),
  'POST /admin/instances': async (admin, body) => ok(await admin.createInstance(instanceInput(body)), 201),
  'GET /admin/instances/:id': (admin, _body, id) => found(admin.getInstance(id), `instance ${id}`),
  'DELETE /admin/instances/:id': async (admin, _body, id) => (await admin.deleteInstance(id), ok(null, 204)),
  'GET /admin/enis/:id': (admin, _body, id) => found(admin.getEni(id), `ENI ${id}`),
  'POST /admin/vswitches': async (admin, body) => ok(await admin.addVSwitch(vswitchInput(body)), 201),
  'POST /admin/vswitches/:id/exhaust': (admin, body, id) => ok(admin.exhaustVSwitch(id, exhaustFlag(body))),
  'GET /admin/faults': (admin) => ok(admin.faults()),
  'POST /admin/faults': (admin, body) => ok(admin.setFaults(faultsPatch(body))),
  'DELETE /admin/faults': (admin) => ok(admin.clearFaults()),
  'GET /admin/config': (admin) => ok(admin.config()),
  'POST /admin/config': (admin, body) => ok(admin.setConfig(configPatch(body))),
  'POST /admin/settle': async (admin) => (await admin.settle(), ok(admin.state())),
};

export async function routeAdmin(
  admin: EcsSimAdmin,
  method: string,
  path: string,
  body: unknown,
): Promise<AdminResponse> {
  const segments = path.split('/');
  const id = segments[3] ?? '';
  const pattern = segments.length > 3 ? [...segments.slice(0, 3), ':id', ...segments.slice(4)].join('/') : path;
  const route = ROUTES[`${method} ${path}`] ?? ROUTES[`${method} ${pattern}`];
  if (!route) {
    return ok({ error: `no admin route ${method} ${path}` }, 404);
  }
  try {
    return await route(admin, body, decodeURIComponent(id));
  } catch (error) {
    if (error instanceof AdminError) {
      return ok({ error: error.message }, error.status);
    }
    return ok({ error: error instanceof Error ? error.message : String(error) }, 400);
  }
}

function found(value: unknown, what: string): AdminResponse {
  return value === null ? ok({ error: `unknown ${what}` }, 404) : ok(value);
}
