// Nest's logger, one JSON object per line, with every record passed through the redaction rules (secret
// keys replaced, URL passwords masked) and stamped with the active trace, so a log line leads to its trace.
import { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { redactSecrets } from '@ipledger/config';

type JsonLogOptions = Parameters<ConsoleLogger['getJsonLogObject']>[1];
type JsonLogObject = ReturnType<ConsoleLogger['getJsonLogObject']>;

export class JsonLogger extends ConsoleLogger {
  constructor(context = '', options: Omit<ConsoleLoggerOptions, 'json' | 'colors'> & { logLevels?: LogLevel[] } = {}) {
    super(context, { ...options, json: true, colors: false });
  }

  protected override getJsonLogObject(message: unknown, options: JsonLogOptions): JsonLogObject {
    const record = redactSecrets(super.getJsonLogObject(message, options)) as JsonLogObject;
    const spanContext = trace.getActiveSpan()?.spanContext();
    if (spanContext) {
      record.trace_id = spanContext.traceId;
      record.span_id = spanContext.spanId;
    }
    return record;
  }
}
