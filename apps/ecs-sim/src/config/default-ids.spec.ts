import { eniConfigFromObject } from '@ipledger/config';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VSWITCHES } from './ecs-sim-options.js';

// The sim's defaults must look like real Alibaba Cloud ids, so an eni-config naming them passes the
// allocator's own checks and a newcomer can point the allocator at a bare `ecs-sim` without renaming.
describe('ecs-sim default ids', () => {
  it('form a valid eni-config', () => {
    const vswitches: Record<string, string[]> = {};
    for (const v of DEFAULT_VSWITCHES) {
      (vswitches[v.zoneId] ??= []).push(v.id);
    }
    const loaded = eniConfigFromObject({ cluster_id: 'c-sim', vswitches, security_group: 'sg-simdefault' });
    expect(loaded.config.vswitches).toEqual(vswitches);
  });
});
