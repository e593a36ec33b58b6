import {
  type JetStreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type StreamInfo,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX } from './subjects.js';

export interface StreamOptions {
  /** Default IPLEDGER. */
  name?: string;
  /** Default ipledger.v1; the stream takes `<prefix>.>`. */
  subjectPrefix?: string;
  /**
   * How long JetStream remembers a Nats-Msg-Id. Must exceed the time within which the relay may republish an
   * event (a crash between publish and checkpoint, then a restart). Default one hour.
   */
  duplicateWindowMs?: number;
  /** Default file. */
  storage?: StorageType;
  /** Default 1 (a single server); 3 in a clustered production setup. */
  replicas?: number;
  /** Drop messages older than this; default 0 = keep (the ledger in Postgres is the record). */
  maxAgeMs?: number;
}

/** Creates the stream, or brings an existing one's subjects and duplicate window up to date. */
export async function ensureStream(jsm: JetStreamManager, options: StreamOptions = {}): Promise<StreamInfo> {
  const name = options.name ?? DEFAULT_STREAM_NAME;
  const wanted = {
    subjects: [`${options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX}.>`],
    duplicate_window: nanos(options.duplicateWindowMs ?? 3_600_000),
    max_age: nanos(options.maxAgeMs ?? 0),
  };
  const existing = await jsm.streams.info(name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) {
      return null;
    }
    throw error;
  });
  if (!existing) {
    return jsm.streams.add({
      name,
      ...wanted,
      storage: options.storage ?? StorageType.File,
      num_replicas: options.replicas ?? 1,
    });
  }
  const current = existing.config;
  const same =
    current.subjects.join() === wanted.subjects.join() &&
    current.duplicate_window === wanted.duplicate_window &&
    current.max_age === wanted.max_age;
  return same ? existing : jsm.streams.update(name, { ...current, ...wanted });
}
