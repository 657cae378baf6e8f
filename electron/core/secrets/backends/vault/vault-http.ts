import nodeVault from 'node-vault';
import { createVaultTransport, type VaultTransport } from './vault-transport';

/**
 * node-vault, configured so that nothing leaks in from or out to the process: it reads VAULT_TOKEN,
 * VAULT_NAMESPACE, VAULT_PREFIX and VAULT_SKIP_VERIFY from process.env by default, which would mix a
 * shell's credentials into a connection configured in the app; and its debug output (DEBUG=node-vault)
 * prints request bodies, which hold values. The token travels per request in X-Vault-Token. Requests go
 * through Latchkey's transport (vault-transport.ts: node:http(s), kept-alive connections, no proxy from
 * the environment), not node-vault's default axios.
 */
export interface VaultTlsOptions {
  /** PEM of the CA that signed the server's certificate (a private CA). */
  ca?: string;
  /** Server name to verify instead of the address's host (SNI). */
  serverName?: string;
  /** Accept any certificate. Only for a development server; never the default. */
  insecureSkipVerify?: boolean;
}

export interface VaultRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path after /v1/, each segment already percent-encoded; may end with a query string. */
  path: string;
  token?: string;
  body?: unknown;
  /** The whole exchange's limit; with a signal, the signal's (the retry layer's attempt signal carries the same limit). */
  timeoutMs: number;
  /** Abandons the request when aborted: the attempt timed out or the caller gave up. */
  signal?: AbortSignal;
}

export class VaultHttp {
  private readonly client: ReturnType<typeof nodeVault>;
  private readonly transport: VaultTransport;

  constructor(address: string, namespace: string | undefined, tls: VaultTlsOptions = {}) {
    this.transport = createVaultTransport({
      rejectUnauthorized: tls.insecureSkipVerify !== true,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
    });
    this.client = nodeVault({
      endpoint: address,
      apiVersion: 'v1',
      noCustomHTTPVerbs: true,
      debug: () => undefined,
      'request-promise': this.transport.requestPromise,
      ...(namespace === undefined ? {} : { namespace }),
    });
    // Constructor defaults come from process.env (VAULT_SKIP_VERIFY does not matter: the transport has
    // its own TLS settings); a connection has only its own settings.
    const client = this.client as unknown as { token: string; namespace: string | undefined; pathPrefix: string };
    client.token = '';
    client.namespace = namespace;
    client.pathPrefix = '';
  }

  send(request: VaultRequest): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (request.token !== undefined) headers['X-Vault-Token'] = request.token;
    return this.client.request({
      method: request.method,
      path: `/${request.path}`,
      headers,
      timeout: request.timeoutMs,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.body === undefined ? {} : { json: request.body }),
    }) as Promise<unknown>;
  }

  /** Closes the connections kept alive for this server. */
  close(): void {
    this.transport.close();
  }
}
