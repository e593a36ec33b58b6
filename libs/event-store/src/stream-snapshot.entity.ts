import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One stream's newest snapshot (migrations/…-stream-snapshots.ts): the state folded up to `version`, encoded
 * by its owner in `format`. A cache, never the truth. The store reads and writes it in SQL
 * (snapshot-store.ts); the entity is here so that every data source checks the table against it.
 */
@Entity({ name: 'stream_snapshots' })
export class StreamSnapshotEntity {
  @PrimaryColumn({ name: 'stream_id', type: 'text' })
  streamId: string;

  /** The stream version of the last event the state folds. */
  @Column({ type: 'integer' })
  version: number;

  /** The owner's encoding of `state`; a reader ignores a format it does not know. */
  @Column({ type: 'integer' })
  format: number;

  @Column({ type: 'jsonb' })
  state: unknown;

  @Column({ name: 'saved_at', type: 'timestamptz', default: () => 'now()' })
  savedAt: Date;
}

/** The ledger's own entities: every data source carries them (data-source.ts). */
export const LEDGER_ENTITIES = [StreamSnapshotEntity];
