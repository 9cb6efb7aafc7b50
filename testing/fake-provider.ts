import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer of the {@link FakeProvider}. */
export interface ScriptedResponse {
  /** HTTP status. @default 200 */
  readonly status?: number;
  /** Response headers, e.g. `{ 'retry-after': '10800' }` or provider rate-limit headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Body: a string or bytes (`Uint8Array`, `Buffer`) are sent as they are, anything else as JSON.
   * @default `{ ok: true }` for 2xx, else `{ error: ... }`
   */
  readonly body?: unknown;
  /** Wait this long before sending the status line and headers. @default 0 */
  readonly delayMs?: number;
  /** Accept the request and never answer: the stalled connection of incident 3. @default false */
  readonly hang?: boolean;
  /**
   * Send the body in pieces, each after its delay (a slow but moving stream). Overrides `body`.
   * A piece with `hang: true` stops the stream there without closing it (a stream that stalls midway).
   */
  readonly chunks?: ReadonlyArray<{
    /** A string (sent as UTF-8) or raw bytes, e.g. half of a multi-byte character. */
    readonly data: string | Uint8Array;
    readonly delayMs?: number;
    readonly hang?: boolean;
  }>;
  /**
   * After `chunks` (if any), send `data` every `intervalMs`, `count` times, then end: a stream that trickles forever
   * (without `count`) and so never trips an idle timeout. Overrides `body`.
   */
  readonly drip?: {
    readonly intervalMs: number;
    /** @default 'x' */
    readonly data?: string | Uint8Array;
    /** @default unlimited */
    readonly count?: number;
  };
}

/** A request as the provider saw it. Headers are kept whole: this is test tooling on 127.0.0.1. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly idempotencyKey: string | undefined;
  /** `Date.now()` when the request's headers arrived. */
  readonly receivedAt: number;
  /** 1-based index of this call on its route. */
  readonly callNumber: number;
  /** The status answered, once answered (`undefined` for hung or still running requests). */
  status?: number;
  /** `Date.now()` when the status line and headers were sent (`undefined` until then). */
  answeredAt?: number;
}

/** Context handed to a dynamic {@link RouteOptions.respond} function. */
export interface RespondContext {
  /** Requests on this route now in flight, this one included. */
  readonly inFlight: number;
  /** How many requests carried this request's `Idempotency-Key` before it (0 for the first). */
  readonly previousWithSameKey: number;
}

/** How one route of the {@link FakeProvider} answers. */
export interface RouteOptions {
  /** Answers for calls 1, 2, 3, ... in order. */
  readonly script?: readonly ScriptedResponse[];
  /** Answer once the script is used up. @default `{ status: 200 }` */
  readonly then?: ScriptedResponse;
  /** Compute the answer per request instead of a script (takes precedence over `script`). */
  readonly respond?: (request: RecordedRequest, context: RespondContext) => ScriptedResponse;
  /**
   * Answer {@link RouteOptions.overLimit} while more than this many requests of the route are in flight: a provider
   * with a concurrency limit.
   */
  readonly maxInFlight?: number;
  /** Answer above `maxInFlight`. @default `{ status: 429, body: { error: 'too many concurrent requests' } }` */
  readonly overLimit?: ScriptedResponse;
}

/** Options for {@link FakeProvider.start}. */
export interface FakeProviderOptions {
  /** Routes by path (without query string), e.g. `{ '/v1/chat': { script: [{ status: 503 }] } }`. */
  readonly routes?: Readonly<Record<string, RouteOptions>>;
  /** Port on 127.0.0.1. @default 0 (a random free port) */
  readonly port?: number;
}

interface RouteState {
  options: RouteOptions;
  calls: number;
  inFlight: number;
}

const MAX_RECORDED_BODY_BYTES = 1024 * 1024;

/**
 * A scriptable HTTP server on 127.0.0.1 standing in for LLM and payment APIs in tests, the demo and benchmarks.
 *
 * It counts what a real provider would see (calls per route, per `Idempotency-Key`, concurrency), so tests assert
 * the toolkit's effect on the outside world rather than on its own internals.
 *
 * @example
 * ```ts
 * const provider = await FakeProvider.start({ routes: { '/charge': { script: [{ status: 503 }, { status: 503 }] } } });
 * // ... run a workflow that calls provider.url('/charge') ...
 * expect(provider.calls('/charge')).toBe(3);
 * await provider.close();
 * ```
 */
export class FakeProvider {
  private readonly routes = new Map<string, RouteState>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly recorded: RecordedRequest[] = [];

  private constructor(
    private readonly server: Server,
    /** Base URL, e.g. `http://127.0.0.1:41234`. */
    readonly baseUrl: string,
  ) {}

  /** Starts the server on 127.0.0.1 and resolves once it listens. */
  static async start(options: FakeProviderOptions = {}): Promise<FakeProvider> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const provider = new FakeProvider(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => provider.handle(req, res));
    server.on('connection', (socket) => {
      provider.sockets.add(socket);
      socket.once('close', () => provider.sockets.delete(socket));
    });
    for (const [path, route] of Object.entries(options.routes ?? {})) provider.route(path, route);
    return provider;
  }

  /** Full URL of a path on this provider. */
  url(path: string): string {
    return `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /** Sets (or replaces) how a path answers, and resets its call counter. */
  route(path: string, options: RouteOptions): this {
    this.routes.set(path, { options, calls: 0, inFlight: 0 });
    return this;
  }

  /** Calls received on a path, or on all paths. */
  calls(path?: string): number {
    return this.requests(path).length;
  }

  /** Every request received on a path (or all), in arrival order. */
  requests(path?: string): readonly RecordedRequest[] {
    return path === undefined ? [...this.recorded] : this.recorded.filter((r) => r.path === path);
  }

  /** Calls per `Idempotency-Key` header value on a path (or all); requests without the header are not counted. */
  callsByIdempotencyKey(path?: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.requests(path)) {
      if (r.idempotencyKey !== undefined)
        counts.set(r.idempotencyKey, (counts.get(r.idempotencyKey) ?? 0) + 1);
    }
    return counts;
  }

  /** Answers with a given status on a path (or all), e.g. how many 429s were sent. */
  responsesWithStatus(status: number, path?: string): number {
    return this.requests(path).filter((r) => r.status === status).length;
  }

  /** Requests being handled now (hung ones included). */
  inFlight(path?: string): number {
    if (path !== undefined) return this.routes.get(path)?.inFlight ?? 0;
    let total = 0;
    for (const state of this.routes.values()) total += state.inFlight;
    return total;
  }

  /** TCP connections open to the provider now: after a clean run, 0 once clients closed theirs. */
  openConnections(): number {
    return this.sockets.size;
  }

  /** Forgets recorded requests and counters; routes keep their options and restart their scripts. */
  reset(): void {
    this.recorded.length = 0;
    for (const state of this.routes.values()) state.calls = 0;
  }

  /** Stops listening, ends hung requests and destroys every socket, so no handle keeps the process alive. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([...closed, new Promise<void>((resolve) => this.server.close(() => resolve()))]);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_RECORDED_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const state = this.routes.get(path);
      const keyHeader = req.headers['idempotency-key'];
      const idempotencyKey = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
      const previousWithSameKey =
        idempotencyKey === undefined
          ? 0
          : this.recorded.filter((r) => r.path === path && r.idempotencyKey === idempotencyKey).length;
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        url,
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
        idempotencyKey,
        receivedAt,
        callNumber: state ? ++state.calls : 0,
      };
      this.recorded.push(record);
      if (!state) {
        this.send(record, res, { status: 404, body: { error: `no route for ${path}` } });
        return;
      }
      state.inFlight++;
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        state.inFlight--;
      };
      res.once('finish', done);
      res.once('close', done);
      const { options } = state;
      let answer: ScriptedResponse;
      if (options.maxInFlight !== undefined && state.inFlight > options.maxInFlight) {
        answer = options.overLimit ?? { status: 429, body: { error: 'too many concurrent requests' } };
      } else if (options.respond) {
        answer = options.respond(record, { inFlight: state.inFlight, previousWithSameKey });
      } else {
        const script = options.script ?? [];
        answer = script[record.callNumber - 1] ?? options.then ?? { status: 200 };
      }
      this.send(record, res, answer);
    });
  }

  private send(record: RecordedRequest, res: ServerResponse, answer: ScriptedResponse): void {
    if (answer.hang) return;
    const write = () => {
      if (res.destroyed) return;
      const status = answer.status ?? 200;
      record.status = status;
      record.answeredAt = Date.now();
      const headers: Record<string, string> = { 'content-type': 'application/json', ...answer.headers };
      if (answer.chunks || answer.drip) {
        res.writeHead(status, headers);
        this.stream(res, answer.chunks ?? [], 0, answer.drip);
        return;
      }
      const body =
        answer.body === undefined
          ? JSON.stringify(status < 300 ? { ok: true } : { error: `status ${status}` })
          : typeof answer.body === 'string' || answer.body instanceof Uint8Array
            ? answer.body
            : JSON.stringify(answer.body);
      res.writeHead(status, headers);
      res.end(body);
    };
    if (answer.delayMs && answer.delayMs > 0) this.later(answer.delayMs, write);
    else write();
  }

  private stream(
    res: ServerResponse,
    chunks: NonNullable<ScriptedResponse['chunks']>,
    index: number,
    drip?: ScriptedResponse['drip'],
  ): void {
    const chunk = chunks[index];
    if (chunk === undefined) {
      if (drip) this.drip(res, drip, 0);
      else res.end();
      return;
    }
    this.later(chunk.delayMs ?? 0, () => {
      if (res.destroyed || chunk.hang) return;
      res.write(chunk.data);
      this.stream(res, chunks, index + 1, drip);
    });
  }

  private drip(res: ServerResponse, drip: NonNullable<ScriptedResponse['drip']>, sent: number): void {
    if (drip.count !== undefined && sent >= drip.count) {
      res.end();
      return;
    }
    this.later(drip.intervalMs, () => {
      if (res.destroyed) return;
      res.write(drip.data ?? 'x');
      this.drip(res, drip, sent + 1);
    });
  }
}
