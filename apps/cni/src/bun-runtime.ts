// The few parts of bun's own API the executable uses, typed here rather than through bun's type package
// (which would put bun's globals into every program's types). Present only when running under bun.

export interface BunSocket {
  /** Bytes written now (the rest must wait for `drain`); negative once the socket is closed. */
  write(data: Uint8Array): number;
  /** Closes at once, without waiting for unwritten data. */
  terminate(): void;
}

export interface BunSocketHandlers {
  open?(socket: BunSocket): void;
  data?(socket: BunSocket, data: Uint8Array): void;
  drain?(socket: BunSocket): void;
  end?(socket: BunSocket): void;
  close?(socket: BunSocket, error?: Error): void;
  error?(socket: BunSocket, error: Error): void;
}

export interface BunRuntime {
  connect(options: { unix: string; socket: BunSocketHandlers }): Promise<BunSocket>;
  stdin: { text(): Promise<string>; stat(): Promise<{ isCharacterDevice(): boolean }> };
  stdout: unknown;
  stderr: unknown;
  write(destination: unknown, data: string): Promise<number>;
}

/** bun's global, or undefined under Node. */
export const bunRuntime = (globalThis as { Bun?: BunRuntime }).Bun;
