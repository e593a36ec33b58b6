// A configuration the process cannot run with. Each problem is one line that names the setting (an
// environment variable or an eni-config key) and says what is wrong with it, so that an operator can fix
// every mistake in one go; the allocator prints them and exits with status 2, never with a stack trace.
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** Collects problems while a whole configuration is checked, instead of stopping at the first. */
export class ProblemList {
  private readonly problems: string[] = [];

  constructor(private readonly prefix = '') {}

  add(subject: string, message: string): void {
    this.problems.push(`${this.prefix}${subject}: ${message}`);
  }

  /** A problem phrased as one sentence that names its settings itself. */
  addSentence(sentence: string): void {
    this.problems.push(`${this.prefix}${sentence}`);
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) {
      throw new ConfigError(this.problems);
    }
  }
}
