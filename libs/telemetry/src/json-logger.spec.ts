import { describe, expect, it } from 'vitest';
import { JsonLogger, levelsFrom } from './json-logger.js';
import { startTelemetry } from './telemetry.js';

function capture(logLevels = levelsFrom('verbose')): {
  logger: (context?: string) => JsonLogger;
  records: () => Record<string, unknown>[];
  raw: () => string;
} {
  const lines: string[] = [];
  return {
    logger: (context = '') => new JsonLogger(context, { logLevels, write: (line) => lines.push(line) }),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    raw: () => lines.join('\n'),
  };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with level, time, context and message', () => {
    const out = capture();
    out.logger('Allocator').log('started');
    expect(out.records()).toEqual([
      { level: 'log', time: expect.stringMatching(/Z$/), pid: process.pid, context: 'Allocator', message: 'started' },
    ]);
  });

  it('follows Nest conventions: a trailing string is the context, a stack precedes it for errors', () => {
    const out = capture();
    const stack = 'Error: boom\n    at main (file.ts:1:1)';
    out.logger('Default').error('boom', stack, 'NestFactory');
    expect(out.records()[0]).toMatchObject({ level: 'error', context: 'NestFactory', stack, message: 'boom' });
  });

  it('masks passwords in messages and secret-named params at any depth', () => {
    const out = capture();
    out.logger('Settings').log('connecting to postgres://app:hunter2@db/ipledger', {
      accessKeySecret: 'cloud-secret',
      nested: { password: 'pw', DATABASE_URL: 'postgres://u:p4ss@h/d' },
      node: 'n1',
    });
    expect(out.raw()).not.toMatch(/hunter2|cloud-secret|"pw"|p4ss/);
    expect(out.records()[0]).toMatchObject({
      message: 'connecting to postgres://app:[REDACTED]@db/ipledger',
      params: {
        accessKeySecret: '[REDACTED]',
        nested: { password: '[REDACTED]', DATABASE_URL: 'postgres://u:[REDACTED]@h/d' },
        node: 'n1',
      },
    });
  });

  it('serializes errors with their stack, masked', () => {
    const out = capture();
    out.logger('Db').error(new Error('auth failed for postgres://app:hunter2@db/x'));
    expect(out.raw()).not.toContain('hunter2');
    expect(out.records()[0]).toMatchObject({
      level: 'error',
      message: 'auth failed for postgres://app:[REDACTED]@db/x',
      error: { name: 'Error', stack: expect.stringContaining('auth failed for postgres://app:[REDACTED]@db/x') },
    });
  });

  it('drops levels that are not enabled', () => {
    const out = capture(levelsFrom('warn'));
    const logger = out.logger('x');
    logger.debug('noise');
    logger.log('info');
    logger.warn('careful');
    expect(out.records().map((r) => r.level)).toEqual(['warn']);
    logger.setLogLevels(['debug']);
    logger.debug('now');
    expect(out.records().map((r) => r.message)).toEqual(['careful', 'now']);
  });

  it('stamps records with the active trace, and adds nothing outside one', async () => {
    const telemetry = await startTelemetry({ serviceName: 'logger-test', metricsAddr: null, env: {} });
    try {
      const out = capture();
      const { traceId, spanId } = telemetry.tracer.startActiveSpan('work', (span) => {
        out.logger('Grpc').warn('slow');
        span.end();
        return span.spanContext();
      });
      out.logger('Grpc').log('idle');
      expect(out.records()[0]).toMatchObject({ trace_id: traceId, span_id: spanId });
      expect(out.records()[1]).not.toHaveProperty('trace_id');
    } finally {
      await telemetry.shutdown();
    }
  });
});
