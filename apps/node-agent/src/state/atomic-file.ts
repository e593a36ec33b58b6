// Files the agent must never find half written after it crashes: written to a temporary name, then renamed
// over the target (rename is atomic within one file system), so a reader sees the old text or the new one.
//
// No fsync: these records only have to outlive the agent process, and the page cache does that (a SIGKILLed
// agent finds every completed write). A reboot of the node takes the pods' namespaces with it, and the agent
// then rebuilds what it needs from the ledger (ListAllocations) and its consumer. Syncing every record cost
// ADD about 14 ms here, queued behind the database's own flushes on the same disk.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temporary, text, { mode: 0o600 });
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** The file's text, or null when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
}

export async function ensureDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
}
