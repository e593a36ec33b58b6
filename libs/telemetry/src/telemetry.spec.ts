import { createServer, type Server } from 'node:net';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ipledger/testing';
import { DEFAULT_METRICS_ADDR, startTelemetry, type Telemetry, TelemetryStartError } from './telemetry.js';
import { contextFromTraceparent } from './trace-context.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('startTelemetry', () => {
  let telemetry: Telemetry;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    telemetry = await startTelemetry({
      serviceName: 'ipledger-test',
      serviceInstanceId: 'r1',
      metricsAddr: { host: '127.0.0.1', port },
      env: {},
    });
  });
  afterAll(() => telemetry.shutdown());

  it('listens on loopback by default', () => {
    expect(DEFAULT_METRICS_ADDR).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('exposes every ipledger metric with its unit and labels on /metrics', async () => {
    const { metrics } = telemetry;
    metrics.recordAllocateDuration(0.004, { code: 'OK' });
    metrics.countCloudCall('AssignPrivateIpAddresses', 'OK');
    metrics.countCloudCall('AssignPrivateIpAddresses', 'Throttling');
    metrics.countCloudThrottled('AssignPrivateIpAddresses');
    metrics.setOutboxLag(0.25);
    metrics.recordAgentApplyDuration(0.02, { event_type: 'IpAllocated', outcome: 'ok' });
    const stop = metrics.observePoolIps(() => [
      { node: 'n1', state: 'idle', count: 3 },
      { node: 'n1', state: 'allocated', count: 7 },
    ]);

    const text = await (await fetch(telemetry.metricsUrl!)).text();
    stop();

    expect(telemetry.metricsUrl).toBe(`http://127.0.0.1:${port}/metrics`);
    expect(text).toContain('# UNIT ipledger_allocate_duration_seconds s');
    expect(text).toMatch(/ipledger_allocate_duration_seconds_bucket\{code="OK",[^}]*le="0.005"\} 1/);
    expect(text).toMatch(/ipledger_cloud_calls_total\{api="AssignPrivateIpAddresses",code="Throttling",[^}]*\} 1/);
    expect(text).toMatch(/ipledger_cloud_throttled_total\{api="AssignPrivateIpAddresses",[^}]*\} 1/);
    expect(text).toMatch(/ipledger_outbox_lag_seconds\{[^}]*\} 0.25/);
    expect(text).toMatch(
      /ipledger_agent_apply_duration_seconds_count\{event_type="IpAllocated",outcome="ok",[^}]*\} 1/,
    );
    expect(text).toMatch(/ipledger_pool_ips\{node="n1",state="allocated",[^}]*\} 7/);
    expect(text).not.toContain('ipledger_cloud_calls_total_total');
  });

  it('stops observing a pool source once told to', async () => {
    const stop = telemetry.metrics.observePoolIps(() => [{ node: 'gone', state: 'idle', count: 1 }]);
    stop();
    const text = await (await fetch(telemetry.metricsUrl!)).text();
    expect(text).not.toContain('node="gone"');
  });

  it('keeps finished spans in process, parented by the incoming traceparent', () => {
    const parent = contextFromTraceparent(TRACEPARENT);
    const span = telemetry.tracer.startSpan('AllocateIp', { kind: SpanKind.SERVER }, parent);
    span.end();
    const recorded = telemetry.recentSpans().find((s) => s.name === 'AllocateIp');
    expect(recorded?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(recorded?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(recorded?.resource.attributes['service.name']).toBe('ipledger-test');
    expect(recorded?.resource.attributes['service.instance.id']).toBe('r1');
  });

  it('registers W3C propagation globally, so any OpenTelemetry-aware code sends traceparent', () => {
    const span = telemetry.tracer.startSpan('outer');
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    span.end();
    const { traceId, spanId } = span.spanContext();
    expect(carrier).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
  });
});

describe('startTelemetry on a taken port', () => {
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    port = (blocker.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it('fails with the address and the reason', async () => {
    await expect(
      startTelemetry({ serviceName: 'x', metricsAddr: { host: '127.0.0.1', port }, env: {} }),
    ).rejects.toThrow(new TelemetryStartError(`cannot serve metrics on 127.0.0.1:${port}: EADDRINUSE`));
  });
});
