import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * The HTTP transport under node-vault: node:http(s) with one keep-alive agent per connection, plugged
 * in through node-vault's `request-promise` option (node-vault still builds the request and judges
 * Vault's answer). It replaces node-vault's default, axios with follow-redirects, which costs about
 * three times the client CPU per request (bench/incident-rotation.bench.ts; an incident at concurrency
 * 16 is bound by exactly that CPU) and brings behaviour a connection should not have:
 *
 * - **Nothing from the process environment.** axios routes through HTTP_PROXY/HTTPS_PROXY when set, so a
 *   shell's setting could send the token through a proxy nobody configured for this connection; here a
 *   connection talks to its address, as it uses only its own token and namespace (vault-http.ts).
 * - **Redirects as Vault uses them.** A standby node answers 307 with the active node's address; the
 *   request is sent there again, method, body and token included (as Vault's own client does), at most
 *   MAX_REDIRECTS times, and never from https to http (the token would travel in clear text). Other
 *   redirects are answers Latchkey does not expect, and are reported as such.
 * - **A bounded answer.** A response larger than MAX_RESPONSE_BYTES is abandoned: no KV answer is that
 *   large, and reading it whole would only exhaust memory.
 *
 * A signal (the retry layer's attempt signal, which carries the attempt's deadline) or else a timeout
 * covers the whole exchange: connecting, redirects, the answer.
 */
export interface VaultTransportTls {
  /** PEM of the CA that signed the server's certificate. */
  ca?: string;
  /** Server name to verify instead of the address's host. */
  servername?: string;
  rejectUnauthorized: boolean;
}

/** What node-vault hands its request function (the subset of request-promise's options it uses). */
export interface TransportRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  /** The JSON body, when there is one. */
  json?: unknown;
  /** Milliseconds for the whole exchange (when there is no signal). */
  timeout?: number;
  /** Abandons the exchange when aborted. */
  signal?: AbortSignal;
}

/** What node-vault expects back: the status, the parsed body, and the path (it special-cases sys/health). */
export interface TransportResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

export const MAX_REDIRECTS = 3;
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** A transport failure of Latchkey's own making, with a code mapVaultError recognises. */
export class VaultTransportError extends Error {
  constructor(
    readonly code: 'VAULT_RESPONSE_TOO_LARGE' | 'VAULT_REDIRECT_REFUSED' | 'ETIMEDOUT',
    message: string,
  ) {
    super(message);
    this.name = 'VaultTransportError';
  }
}

export interface VaultTransport {
  /** node-vault's `request-promise` option: it calls defaults() once and then the returned function per request. */
  readonly requestPromise: { defaults(): (request: TransportRequest) => Promise<TransportResponse> };
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/**
 * How long a connection may stay idle before it is closed, as Node's own global agent does: one that a
 * NAT or a firewall dropped silently while idle is then never reused (a request on it would wait out the
 * whole timeout before its retry).
 */
export const IDLE_CONNECTION_MS = 5_000;

export function createVaultTransport(tls: VaultTransportTls, options: { idleMs?: number } = {}): VaultTransport {
  const idle = { keepAlive: true, timeout: options.idleMs ?? IDLE_CONNECTION_MS };
  const httpAgent = new HttpAgent(idle);
  const httpsAgent = new HttpsAgent({
    ...idle,
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  });

  const send = async (request: TransportRequest): Promise<TransportResponse> => {
    const body = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json), 'utf8');
    const deadline = request.timeout === undefined || request.signal !== undefined ? undefined : Date.now() + request.timeout;
    let url = new URL(request.uri);
    for (let redirects = 0; ; redirects += 1) {
      const answer = await exchange(url, request, body, deadline);
      if ((answer.statusCode !== 307 && answer.statusCode !== 308) || answer.location === undefined) {
        return { statusCode: answer.statusCode, body: answer.body, request: { path: url.pathname } };
      }
      if (redirects === MAX_REDIRECTS) throw new VaultTransportError('VAULT_REDIRECT_REFUSED', `more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(answer.location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new VaultTransportError('VAULT_REDIRECT_REFUSED', 'a redirect to an address that is not http(s)');
      if (url.protocol === 'https:' && next.protocol !== 'https:') throw new VaultTransportError('VAULT_REDIRECT_REFUSED', 'a redirect from https to http');
      url = next;
    }
  };

  const exchange = (url: URL, request: TransportRequest, body: Buffer | undefined, deadline: number | undefined) =>
    new Promise<{ statusCode: number; body: unknown; location: string | undefined }>((resolve, reject) => {
      const headers: OutgoingHttpHeaders = { accept: 'application/json', ...request.headers };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = body.length;
      }
      const https = url.protocol === 'https:';
      const outgoing = (https ? httpsRequest : httpRequest)(url, {
        method: request.method,
        headers,
        agent: https ? httpsAgent : httpAgent,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
      // Why the transport gave up on this exchange, whichever error the connection then reports first.
      let abandoned: VaultTransportError | undefined;
      const abandon = (reason: VaultTransportError) => {
        abandoned ??= reason;
        outgoing.destroy(reason);
      };
      let timer: NodeJS.Timeout | undefined;
      if (deadline !== undefined) {
        timer = setTimeout(() => abandon(new VaultTransportError('ETIMEDOUT', 'no complete answer within the timeout')), Math.max(0, deadline - Date.now()));
      }
      let settled = false;
      const fail = (error: Error) => {
        clearTimeout(timer);
        settled = true;
        reject(abandoned ?? error);
      };
      outgoing.on('error', fail);
      outgoing.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            abandon(new VaultTransportError('VAULT_RESPONSE_TOO_LARGE', `an answer larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', fail);
        // A connection closed before the answer ended: the answer is lost (retried as a network failure).
        response.on('close', () => {
          if (!settled) fail(Object.assign(new Error('the connection closed before the answer ended'), { code: 'ECONNRESET' }));
        });
        response.on('end', () => {
          clearTimeout(timer);
          settled = true;
          const location = response.headers.location;
          resolve({ statusCode: response.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString('utf8')), location });
        });
      });
      outgoing.end(body);
    });

  return {
    requestPromise: { defaults: () => send },
    send,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** JSON when it is JSON; otherwise the text (a proxy's or another server's page), which the backend then refuses as not Vault. */
function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
