// What the dev cluster prints: timestamped progress lines, warnings marked with `!`, blocks (tables) as they
// are. One writer, so that lines of the event feed, the children's logs and the driver never interleave
// mid-line.

export class DevOutput {
  constructor(
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
    private readonly now: () => Date = () => new Date(),
  ) {}

  info(text: string): void {
    this.write(`${this.stamp()}  ${text}\n`);
  }

  warn(text: string): void {
    this.write(`${this.stamp()}  ! ${text}\n`);
  }

  /** A child's log line, under its name. */
  child(name: string, text: string): void {
    this.write(`${this.stamp()}  [${name}] ${text}\n`);
  }

  block(text: string): void {
    this.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  private stamp(): string {
    return this.now().toTimeString().slice(0, 8);
  }
}
