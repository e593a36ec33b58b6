// One operation per container at a time inside the agent: a CNI request, an event handler and the repair
// loop never work on the same pod at once. Keys with nothing queued take no memory.
export class ContainerLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(containerId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(containerId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(containerId, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(containerId) === tail) {
        this.tails.delete(containerId);
      }
    }
  }

  /** Containers with an operation running or queued right now. */
  held(): string[] {
    return [...this.tails.keys()];
  }

  /** Whether an operation on the container is running or queued right now. */
  busy(containerId: string): boolean {
    return this.tails.has(containerId);
  }
}
