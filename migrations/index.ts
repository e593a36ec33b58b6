// Every schema migration, oldest first. Append new ones at the end (timestamped file and class names).
import { EventStore1763712000000 } from './1763712000000-event-store.js';
import { AllocatorProjections1795243000000 } from './1795243000000-allocator-projections.js';
import { StreamSnapshots1795256400000 } from './1795256400000-stream-snapshots.js';
import { CloudRateBuckets1795260000000 } from './1795260000000-cloud-rate-buckets.js';

export const migrations = [
  EventStore1763712000000,
  AllocatorProjections1795243000000,
  StreamSnapshots1795256400000,
  CloudRateBuckets1795260000000,
];
