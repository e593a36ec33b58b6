// The last version of the node's ledger stream whose event the agent has fully handled, kept on disk so that
// a redelivered event (after a restart, or a lost ack) is recognised and not applied twice.
import { join } from 'node:path';
import { ensureDirectory, readFileIfExists, writeFileAtomically } from './atomic-file.js';

interface AppliedFile {
  stream: string;
  version: number;
}

export class AppliedVersionStore {
  private readonly path: string;
  private current = 0;

  constructor(
    private readonly stateDir: string,
    private readonly stream: string,
  ) {
    this.path = join(stateDir, 'applied-version.json');
  }

  /** Loads the stored version; a file about another stream (the node was renamed) counts as none. */
  async load(): Promise<number> {
    await ensureDirectory(this.stateDir);
    const text = await readFileIfExists(this.path);
    const stored = text === null ? null : (JSON.parse(text) as Partial<AppliedFile>);
    this.current = stored?.stream === this.stream && typeof stored.version === 'number' ? stored.version : 0;
    return this.current;
  }

  get version(): number {
    return this.current;
  }

  async record(version: number): Promise<void> {
    if (version <= this.current) {
      return;
    }
    await writeFileAtomically(this.path, `${JSON.stringify({ stream: this.stream, version })}\n`);
    this.current = version;
  }
}
