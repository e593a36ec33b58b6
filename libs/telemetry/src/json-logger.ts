// A Nest LoggerService that writes one JSON object per line, passes every record through the redaction
// rules (secret-named keys replaced, URL passwords masked) and stamps it with the active trace. It does not
// import Nest, so a process can set up its logger next to the OpenTelemetry SDK before Nest is loaded.
import type { LoggerService, LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { maskUrlCredentials, redactSecrets } from '@ipledger/config';

const LEVELS: readonly LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
const STACK = /\n\s+at /;

export interface JsonLoggerOptions {
  /** Default: log, warn, error, fatal. */
  logLevels?: LogLevel[];
  /** Where lines go; default stdout (and stderr for error and fatal). */
  write?: (line: string, level: LogLevel) => void;
}

export class JsonLogger implements LoggerService {
  private levels: Set<LogLevel>;
  private readonly writeLine: (line: string, level: LogLevel) => void;

  constructor(
    private readonly context = '',
    options: JsonLoggerOptions = {},
  ) {
    this.levels = new Set(options.logLevels ?? ['log', 'warn', 'error', 'fatal']);
    this.writeLine = options.write ?? defaultWrite;
  }

  log(message: unknown, ...params: unknown[]): void {
    this.print('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.print('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.print('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.print('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.print('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.print('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.levels.has(level);
  }

  private print(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.levels.has(level)) {
      return;
    }
    this.writeLine(JSON.stringify(this.record(level, message, params)), level);
  }

  /** Nest's calling conventions: a trailing string is the context; for errors, a stack may precede it. */
  private record(level: LogLevel, message: unknown, params: unknown[]): Record<string, unknown> {
    const rest = [...params];
    const record: Record<string, unknown> = { level, time: new Date().toISOString(), pid: process.pid };
    const last = rest.at(-1);
    if (typeof last === 'string' && !STACK.test(last)) {
      record.context = rest.pop();
    } else if (this.context) {
      record.context = this.context;
    }
    if ((level === 'error' || level === 'fatal') && typeof rest.at(-1) === 'string') {
      record.stack = maskUrlCredentials(rest.pop() as string);
    }
    if (message instanceof Error) {
      record.message = maskUrlCredentials(message.message);
      record.error = serializeError(message);
    } else {
      record.message = redactSecrets(message);
    }
    const errors = rest.filter((param): param is Error => param instanceof Error);
    const others = rest.filter((param) => !(param instanceof Error));
    if (errors.length > 0 && record.error === undefined) {
      record.error = serializeError(errors[0]);
    }
    if (others.length > 0) {
      record.params = redactSecrets(others.length === 1 ? others[0] : others);
    }
    const spanContext = trace.getActiveSpan()?.spanContext();
    if (spanContext) {
      record.trace_id = spanContext.traceId;
      record.span_id = spanContext.spanId;
    }
    return record;
  }
}

function serializeError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: maskUrlCredentials(error.message),
    ...(code === undefined ? {} : { code }),
    ...(error.stack ? { stack: maskUrlCredentials(error.stack) } : {}),
  };
}

function defaultWrite(line: string, level: LogLevel): void {
  (level === 'error' || level === 'fatal' ? process.stderr : process.stdout).write(`${line}\n`);
}

/** The levels from `level` up, e.g. 'log' → log, warn, error, fatal. */
export function levelsFrom(level: LogLevel): LogLevel[] {
  return LEVELS.slice(LEVELS.indexOf(level));
}
