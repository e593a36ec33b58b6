import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JsonLogger } from './json-logger.js';
import { startTelemetry } from './telemetry.js';

describe('JsonLogger', () => {
  let lines: string[];

  beforeEach(() => {
    lines = [];
    const capture = (chunk: unknown): boolean => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });
  afterEach(() => vi.restoreAllMocks());

  const records = (): Record<string, unknown>[] => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes one JSON object per line with level, context and message', () => {
    new JsonLogger('Allocator').log('started');
    expect(records()).toEqual([expect.objectContaining({ level: 'log', context: 'Allocator', message: 'started' })]);
  });

  it('masks passwords in messages and secret-named params', () => {
    const logger = new JsonLogger('Settings');
    logger.log('connecting to postgres://app:hunter2@db/ipledger', {
      accessKeySecret: 'cloud-secret',
      nested: { password: 'pw', DATABASE_URL: 'postgres://u:p4ss@h/d' },
      node: 'n1',
    });
    expect(lines.join('')).not.toMatch(/hunter2|cloud-secret|"pw"|p4ss/);
    expect(records()[0]).toMatchObject({
      message: 'connecting to postgres://app:[REDACTED]@db/ipledger',
      params: {
        accessKeySecret: '[REDACTED]',
        nested: { password: '[REDACTED]', DATABASE_URL: 'postgres://u:[REDACTED]@h/d' },
        node: 'n1',
      },
    });
  });

  it('masks secrets inside logged errors and their stacks', () => {
    new JsonLogger('Db').error(new Error('auth failed for postgres://app:hunter2@db/x'));
    expect(lines.join('')).not.toContain('hunter2');
    expect(records()[0]).toMatchObject({ level: 'error' });
  });

  it('stamps records with the active trace', async () => {
    const telemetry = await startTelemetry({ serviceName: 'logger-test', metricsAddr: null, env: {} });
    try {
      const { traceId, spanId } = telemetry.tracer.startActiveSpan('work', (span) => {
        new JsonLogger('Grpc').warn('slow');
        span.end();
        return span.spanContext();
      });
      expect(records()[0]).toMatchObject({ level: 'warn', trace_id: traceId, span_id: spanId });
    } finally {
      await telemetry.shutdown();
    }
  });

  it('adds no trace fields outside a trace', () => {
    new JsonLogger('Grpc').log('idle');
    expect(records()[0]).not.toHaveProperty('trace_id');
  });
});
