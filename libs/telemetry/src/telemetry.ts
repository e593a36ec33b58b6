// Starts OpenTelemetry for one ipledger process. Call it before Nest (or anything traced) is imported:
// the SDK must own the global providers first. Metrics go to a Prometheus endpoint on a loopback address
// unless told otherwise; spans stay in process (a bounded buffer) unless an OTLP endpoint is configured in
// the standard OTEL_EXPORTER_OTLP_* variables, in which case the SDK's own OTLP setup exports them.
import { context, metrics as otelMetrics, propagation, trace, type Tracer } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type HostPort } from '@ipledger/config';
import { createMetrics, type Metrics } from './metrics.js';
import { RecentSpansProcessor } from './recent-spans.processor.js';
import { TraceparentPropagator } from './trace-context.js';

export interface TelemetryOptions {
  serviceName: string;
  /** e.g. the replica id; becomes service.instance.id. */
  serviceInstanceId?: string;
  /** Where Prometheus scrapes /metrics; undefined: 127.0.0.1:9464; null: no endpoint. */
  metricsAddr?: HostPort | null;
  /** Variables to look for an OTLP endpoint in; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Telemetry {
  readonly metrics: Metrics;
  readonly tracer: Tracer;
  /** http://host:port/metrics, or null without an endpoint. */
  readonly metricsUrl: string | null;
  /** The last finished spans of this process (empty when spans go to OTLP). */
  recentSpans(): readonly ReadableSpan[];
  shutdown(): Promise<void>;
}

export class TelemetryStartError extends Error {
  override name = 'TelemetryStartError';
}

export const DEFAULT_METRICS_ADDR: HostPort = { host: '127.0.0.1', port: 9464 };

export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const env = options.env ?? process.env;
  const metricsAddr = options.metricsAddr === undefined ? DEFAULT_METRICS_ADDR : options.metricsAddr;
  const prometheus = metricsAddr ? await startPrometheus(metricsAddr) : null;
  const recentSpans = new RecentSpansProcessor();
  const otlp = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    // Omitting span processors lets the SDK build its OTLP exporter from the OTEL_* variables.
    ...(otlp ? {} : { spanProcessors: [recentSpans] }),
    metricReaders: prometheus ? [prometheus] : [],
    // An empty list keeps the SDK from setting up its default (OTLP, networked) log exporter.
    logRecordProcessors: [],
    textMapPropagator: new TraceparentPropagator(),
    resource: resources.resourceFromAttributes(
      options.serviceInstanceId ? { 'service.instance.id': options.serviceInstanceId } : {},
    ),
    autoDetectResources: false,
    instrumentations: [],
  });
  sdk.start();

  return {
    metrics: createMetrics(otelMetrics.getMeter('ipledger')),
    tracer: trace.getTracer('ipledger'),
    metricsUrl: metricsAddr ? `http://${metricsAddr.host}:${metricsAddr.port}/metrics` : null,
    recentSpans: () => recentSpans.recent(),
    shutdown: async () => {
      await sdk.shutdown();
      // Hand the globals back, so that a later start in this process (tests) registers afresh.
      trace.disable();
      otelMetrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}

function startPrometheus(addr: HostPort): Promise<PrometheusExporter> {
  return new Promise((resolve, reject) => {
    const host = addr.host.replace(/^\[(.*)\]$/, '$1');
    const exporter = new PrometheusExporter({ host, port: addr.port }, (error) => {
      if (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? error.message;
        reject(new TelemetryStartError(`cannot serve metrics on ${addr.host}:${addr.port}: ${reason}`));
      } else {
        resolve(exporter);
      }
    });
  });
}
