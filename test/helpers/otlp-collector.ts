import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as an OTLP collector received it. */
export interface CollectedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
}

/**
 * A stand-in for an OpenTelemetry collector: an HTTP server on 127.0.0.1 accepting OTLP/HTTP JSON at `/v1/traces`
 * (what `@opentelemetry/exporter-trace-otlp-http` sends), decoding every request and keeping its spans. Anything else
 * (another path, protobuf, unreadable JSON) is answered with an error and counted in `rejected`, so a misconfigured
 * exporter fails the test instead of passing unseen.
 */
export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];
  requests = 0;
  rejected = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpCollector> {
    const server = createServer();
    const collector = new OtlpCollector(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        collector.requests += 1;
        const type = req.headers['content-type'] ?? '';
        if (req.method !== 'POST' || req.url !== '/v1/traces' || !type.startsWith('application/json')) {
          collector.rejected += 1;
          res.writeHead(415).end();
          return;
        }
        try {
          collector.spans.push(...decode(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        } catch {
          collector.rejected += 1;
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  /** The URL to give `OTLPTraceExporter({ url })`. */
  get tracesUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface OtlpJson {
  resourceSpans?: { scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
}

/** OTLP/JSON: ids are hex strings, an absent or empty `parentSpanId` means a root span. */
function decode(body: OtlpJson): CollectedSpan[] {
  if (!Array.isArray(body.resourceSpans)) throw new TypeError('not an OTLP traces request');
  return body.resourceSpans.flatMap((r) =>
    (r.scopeSpans ?? []).flatMap((s) =>
      (s.spans ?? []).map((span) => {
        const parent =
          typeof span.parentSpanId === 'string' && span.parentSpanId !== '' ? span.parentSpanId : undefined;
        return {
          traceId: String(span.traceId),
          spanId: String(span.spanId),
          ...(parent ? { parentSpanId: parent } : {}),
          name: String(span.name),
        };
      }),
    ),
  );
}
