import type { EntityManager } from 'typeorm';
import type { Projection, RecordedEvent } from './event-store.port.js';

/** Consecutive events one projection is called for. */
export interface ProjectionStep {
  projection: Projection;
  events: RecordedEvent[];
}

// The reference order is "for each event in position order, each projection in list order" (what appends
// did one event at a time, and what a rebuild replays). The steps keep exactly that sequence of calls, minus
// the calls a projection declared to be no-ops (`eventTypes`), and only merge neighbours that call the same
// projection. So the tables see the same writes in the same order; `applyBatch` promises the same effect as
// its events applied one by one. That is the whole equivalence argument, for live appends and rebuilds alike.
export function projectionSteps(
  projections: readonly Projection[],
  events: readonly RecordedEvent[],
): ProjectionStep[] {
  const steps: ProjectionStep[] = [];
  for (const event of events) {
    for (const projection of projections) {
      if (projection.eventTypes && !projection.eventTypes.has(event.type)) {
        continue;
      }
      const last = steps.at(-1);
      if (last?.projection === projection) {
        last.events.push(event);
      } else {
        steps.push({ projection, events: [event] });
      }
    }
  }
  return steps;
}

/** Applies every projection to the events, in the reference order, through `applyBatch` where there is one. */
export async function applyProjections(
  em: EntityManager,
  projections: readonly Projection[],
  events: readonly RecordedEvent[],
): Promise<void> {
  for (const { projection, events: run } of projectionSteps(projections, events)) {
    if (projection.applyBatch) {
      await projection.applyBatch(em, run);
    } else {
      for (const event of run) {
        await projection.apply(em, event);
      }
    }
  }
}
