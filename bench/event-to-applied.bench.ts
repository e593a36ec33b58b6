// Event → applied on the node agent: from the allocator committing an event to the agent having applied it
// (the agent's ipledger_agent_apply_duration_seconds histogram), p50/p99 while pods come and go.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './support/allocator-process.js';
import { type BenchContext, type BenchOutcome, type Benchmark, NotMeasured } from './support/benchmark.js';

const LOCAL_CLUSTER = join(REPO_ROOT, 'dist/apps/devcluster/src/local-cluster.js');

export const eventToApplied: Benchmark = {
  name: 'event-to-applied',
  title: 'Event → applied on the node agent',
  timeoutMs: 10 * 60_000,
  run,
};

function run(_ctx: BenchContext): Promise<BenchOutcome> {
  if (!existsSync(LOCAL_CLUSTER)) {
    throw new NotMeasured(
      'the LocalCluster harness (apps/devcluster/src/local-cluster.ts) with node agents is not there yet',
    );
  }
  throw new NotMeasured('not wired to the node agent yet');
}
