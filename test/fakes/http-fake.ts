import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The common part of the wire-level fakes: a node:http(s) server on a free loopback port that reads
 * each request whole, records its request line and headers (never the body: that is where values
 * travel), applies injected faults, and hands the request to the fake's own API implementation.
 *
 * Faults are what real services do on a bad day: latency, 5xx, throttling, an expired token, a
 * permission error, a reset connection, or a request that is carried out but whose answer never
 * arrives (lost-response). Each fake renders them the way its service does.
 */
export type FaultKind = 'latency' | 'server-error' | 'throttle' | 'expired-token' | 'permission-denied' | 'reset' | 'lost-response';

export interface Fault {
  kind: FaultKind;
  /** How many matching requests it applies to (default 1; Infinity for all). */
  times?: number;
  /** latency: delay before the request is handled (and then answered normally). */
  ms?: number;
  /** throttle: the Retry-After the fake sends, in seconds. */
  retryAfterSeconds?: number;
  /** server-error: the status (default 500). */
  status?: number;
  /** Only requests this accepts (default: all). */
  match?: (request: FakeRequest) => boolean;
}

export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON; a body that is not JSON makes the fake answer 400. */
  json(): unknown;
  text(): string;
  header(name: string): string | undefined;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless it is a string or Buffer. */
  body?: unknown;
}

export class BadRequestBody extends Error {}

export type FakeHandler = (request: FakeRequest) => Promise<FakeResponse> | FakeResponse;
export type FaultRenderer = (fault: Fault, request: FakeRequest) => FakeResponse | 'continue';

export interface FakeServerOptions {
  handler: FakeHandler;
  renderFault: FaultRenderer;
  /** Real services cap request bodies; larger ones get 413. */
  maxBodyBytes?: number;
  tls?: { key: string; cert: string };
}

interface ActiveFault extends Fault {
  remaining: number;
}

export class FakeServer {
  readonly requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  private faults: ActiveFault[] = [];
  private readonly sockets = new Set<Socket>();
  /** TCP (or TLS) connections accepted so far: how many a client opened. */
  connections = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly port: number,
  ) {
    server.on('connection', (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: FakeServerOptions): Promise<FakeServer> {
    const ref: { fake?: FakeServer } = {};
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      void ref.fake!.serve(req, res, options);
    };
    const server = options.tls === undefined ? createHttpServer(listener) : createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ref.fake = new FakeServer(server, `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`, port);
    return ref.fake;
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Request lines and headers received so far, one string each (for canary checks). */
  traces(): string[] {
    return this.requests.map((request) => `${request.method} ${request.url} ${JSON.stringify(request.headers)}`);
  }

  countRequests(predicate: (request: { method: string; url: string }) => boolean = () => true): number {
    return this.requests.filter(predicate).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, options: FakeServerOptions): Promise<void> {
    const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      body,
      text: () => body.toString('utf8'),
      json: () => {
        try {
          return JSON.parse(body.toString('utf8')) as unknown;
        } catch {
          throw new BadRequestBody('the body is not JSON');
        }
      },
      header: (name) => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
    };
    if (tooLarge) {
      send(res, { status: 413, body: { error: 'request body too large' } });
      return;
    }

    let loseResponse = false;
    for (const fault of this.faults) {
      if (fault.remaining <= 0 || (fault.match !== undefined && !fault.match(request))) continue;
      fault.remaining -= 1;
      if (fault.kind === 'lost-response') {
        loseResponse = true;
        continue;
      }
      if (fault.kind === 'latency') {
        await new Promise((resolve) => setTimeout(resolve, fault.ms ?? 100));
        if (res.destroyed) return;
        continue;
      }
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      const rendered = options.renderFault(fault, request);
      if (rendered !== 'continue') {
        send(res, rendered);
        return;
      }
    }
    this.faults = this.faults.filter((fault) => fault.remaining > 0);

    try {
      const response = await options.handler(request);
      if (loseResponse) {
        req.socket.destroy();
        return;
      }
      send(res, response);
    } catch (error) {
      if (error instanceof BadRequestBody) {
        send(res, { status: 400, body: { error: error.message } });
        return;
      }
      send(res, { status: 500, body: { error: `fake failed: ${(error as Error).message}` } });
    }
  }
}

function send(res: ServerResponse, response: FakeResponse): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | undefined;
  if (response.body !== undefined) {
    if (typeof response.body === 'string') payload = Buffer.from(response.body, 'utf8');
    else if (Buffer.isBuffer(response.body)) payload = response.body;
    else {
      payload = Buffer.from(JSON.stringify(response.body), 'utf8');
      headers['content-type'] ??= 'application/json';
    }
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** A clock the test controls, shared by a fake and the backend under test (token lifetimes). */
export class ManualClock {
  constructor(private ms = Date.parse('2030-01-01T00:00:00Z')) {}
  now = (): number => this.ms;
  date = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * A fake of one cloud service on its own FakeServer: the service answers requests and says how an
 * injected fault looks in its protocol; this class starts, addresses, faults and stops it.
 */
export abstract class ServiceFake {
  server!: FakeServer;

  protected abstract handle(request: FakeRequest): Promise<FakeResponse> | FakeResponse;
  protected abstract renderFault(fault: Fault, request: FakeRequest): FakeResponse | 'continue';

  /** Starts serving; for the subclass's static `start`. */
  protected async listen(options: Omit<FakeServerOptions, 'handler' | 'renderFault'> = {}): Promise<this> {
    this.server = await FakeServer.start({ ...options, handler: (request) => this.handle(request), renderFault: (fault, request) => this.renderFault(fault, request) });
    return this;
  }

  get url(): string {
    return this.server.url;
  }

  inject(fault: Fault): void {
    this.server.inject(fault);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
