// The pod records on disk: `<state dir>/pods/<container id>.json`, each written atomically, so that what a
// crash leaves behind is either the previous record or the next one, never a torn file.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirectory, readFileIfExists, removeFile, writeFileAtomically } from './atomic-file.js';
import { type PodRecord } from './pod-record.js';

const SUFFIX = '.json';

export interface UnreadableRecord {
  file: string;
  reason: string;
}

export class PodRecordStore {
  private readonly dir: string;

  constructor(
    stateDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dir = join(stateDir, 'pods');
  }

  async init(): Promise<void> {
    await ensureDirectory(this.dir);
  }

  async get(containerId: string): Promise<PodRecord | null> {
    const text = await readFileIfExists(this.pathOf(containerId));
    return text === null ? null : parseRecord(text);
  }

  /** Writes the record with a fresh `updatedAt` and returns what was written. */
  async put(record: Omit<PodRecord, 'updatedAt'>): Promise<PodRecord> {
    const written: PodRecord = { ...record, updatedAt: this.now().toISOString() };
    await writeFileAtomically(this.pathOf(record.containerId), `${JSON.stringify(written, null, 2)}\n`);
    return written;
  }

  async remove(containerId: string): Promise<void> {
    await removeFile(this.pathOf(containerId));
  }

  /** Every readable record; files that cannot be read are reported (and left for the operator). */
  async list(): Promise<{ records: PodRecord[]; unreadable: UnreadableRecord[] }> {
    const names = (await readdir(this.dir)).filter((name) => name.endsWith(SUFFIX) && !name.startsWith('.'));
    const records: PodRecord[] = [];
    const unreadable: UnreadableRecord[] = [];
    for (const name of names.sort()) {
      const file = join(this.dir, name);
      try {
        const text = await readFileIfExists(file);
        if (text !== null) {
          records.push(parseRecord(text));
        }
      } catch (error) {
        unreadable.push({ file, reason: (error as Error).message });
      }
    }
    return { records, unreadable };
  }

  private pathOf(containerId: string): string {
    // Container ids are [A-Za-z0-9][A-Za-z0-9_.-]* (checked at the socket), safe as file names.
    return join(this.dir, `${containerId}${SUFFIX}`);
  }
}

function parseRecord(text: string): PodRecord {
  const value = JSON.parse(text) as Partial<PodRecord> | null;
  const valid =
    typeof value === 'object' &&
    value !== null &&
    typeof value.containerId === 'string' &&
    typeof value.ifName === 'string' &&
    typeof value.netns === 'string' &&
    typeof value.phase === 'string' &&
    typeof value.pod === 'object' &&
    value.pod !== null;
  if (!valid) {
    throw new Error('not a pod record');
  }
  return value as PodRecord;
}
