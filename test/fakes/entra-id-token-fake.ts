import { randomUUID } from 'node:crypto';
import type { AzureTokenPolicy } from './azure-key-vault-fake';
import { FakeServer, type FakeRequest, type FakeResponse } from './http-fake';

/**
 * A wire-level fake of the part of Microsoft Entra ID that a service principal with a client secret
 * talks to (the OAuth 2.0 client-credentials grant of the v2.0 endpoint), written from its reference:
 *
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration   the tenant's endpoints (MSAL reads them
 *                                                           when instance discovery is off)
 *   POST /{tenant}/oauth2/v2.0/token                       form body grant_type=client_credentials,
 *                                                           client_id, client_secret, scope
 *                                                           (<resource>/.default), optional claims
 *
 * A token answer is `{token_type: "Bearer", expires_in, ext_expires_in, access_token}`; errors are
 * `{error, error_description: "AADSTS…: …", error_codes, timestamp, trace_id, correlation_id}` with
 * Entra's codes: an unknown tenant (400 invalid_request, AADSTS90002), an unknown client id
 * (400 unauthorized_client, AADSTS700016), a wrong client secret (401 invalid_client, AADSTS7000215),
 * a scope without /.default (400 invalid_scope, AADSTS1002012) or for an unknown resource
 * (400 invalid_resource, AADSTS500011). MSAL refuses a plain-http authority, so it is served over TLS.
 *
 * Access tokens come from `issue` (the Key Vault fake's issuer, so the vault accepts them). What each
 * token request asked for is kept in `tokenRequests` — never the client secret, only whether it matched.
 */
export interface EntraIdTokenFakeOptions {
  tls: { key: string; cert: string };
  tenantId: string;
  issue: (policy: AzureTokenPolicy) => { token: string; expiresOnTimestamp: number };
  now?: () => number;
  /** Resources a scope may name (`<resource>/.default`); Key Vault's by default. */
  resources?: string[];
}

export interface EntraTokenRequest {
  tenant: string;
  grantType: string | null;
  clientId: string | null;
  scope: string | null;
  /** The claims parameter (CAE client capabilities or a claims challenge), if sent. */
  claims: string | null;
  clientSecretMatched: boolean;
}

interface ServicePrincipal {
  secret: string;
  policy: AzureTokenPolicy;
}

export class EntraIdTokenFake {
  readonly tokenRequests: EntraTokenRequest[] = [];
  private readonly principals = new Map<string, ServicePrincipal>();
  private readonly now: () => number;
  private readonly resources: string[];
  server!: FakeServer;

  private constructor(private readonly options: EntraIdTokenFakeOptions) {
    this.now = options.now ?? Date.now;
    this.resources = options.resources ?? ['https://vault.azure.net'];
  }

  static async start(options: EntraIdTokenFakeOptions): Promise<EntraIdTokenFake> {
    const fake = new EntraIdTokenFake(options);
    fake.server = await FakeServer.start({ tls: options.tls, handler: (request) => fake.handle(request), renderFault: () => 'continue' });
    return fake;
  }

  /** The authority host to configure (AZURE_AUTHORITY_HOST), e.g. https://127.0.0.1:41234. */
  get authorityHost(): string {
    return this.server.url;
  }

  /** Registers an app in the tenant with one client secret; its tokens get `policy`'s rights in the vault. */
  addServicePrincipal(clientId: string, clientSecret: string, policy: AzureTokenPolicy = 'all'): void {
    this.principals.set(clientId, { secret: clientSecret, policy });
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(request: FakeRequest): FakeResponse {
    const [tenant, ...rest] = request.url.pathname.split('/').filter((segment) => segment !== '');
    const path = rest.join('/');
    if (tenant === undefined) return this.error(404, 'invalid_request', 'AADSTS90002', 'Tenant not found.');
    if (tenant !== this.options.tenantId) {
      return this.error(400, 'invalid_request', 'AADSTS90002', `Tenant '${tenant.slice(0, 64)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    if (request.method === 'GET' && path === 'v2.0/.well-known/openid-configuration') return { status: 200, body: this.openIdConfiguration(tenant) };
    if (request.method === 'POST' && path === 'oauth2/v2.0/token') return this.token(tenant, request);
    return this.error(404, 'invalid_request', 'AADSTS900561', `The endpoint only accepts the documented requests; ${request.method} ${path.slice(0, 64)} is not one.`);
  }

  private openIdConfiguration(tenant: string): unknown {
    const base = `${this.authorityHost}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'ver'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    };
  }

  private token(tenant: string, request: FakeRequest): FakeResponse {
    if (!(request.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return this.error(400, 'invalid_request', 'AADSTS900144', "The request body must contain the following parameter: 'grant_type'.");
    }
    const form = new URLSearchParams(request.text());
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id');
    const scope = form.get('scope');
    const principal = clientId === null ? undefined : this.principals.get(clientId);
    const clientSecretMatched = principal !== undefined && form.get('client_secret') === principal.secret;
    this.tokenRequests.push({ tenant, grantType, clientId, scope, claims: form.get('claims'), clientSecretMatched });

    if (grantType !== 'client_credentials') return this.error(400, 'unsupported_grant_type', 'AADSTS70003', 'The app requested an unsupported grant type.');
    if (clientId === null) return this.error(400, 'invalid_request', 'AADSTS900144', "The request body must contain the following parameter: 'client_id'.");
    if (principal === undefined) {
      return this.error(400, 'unauthorized_client', 'AADSTS700016', `Application with identifier '${clientId.slice(0, 64)}' was not found in the directory '${tenant}'.`);
    }
    if (!clientSecretMatched) {
      return this.error(401, 'invalid_client', 'AADSTS7000215', `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    if (scope === null) return this.error(400, 'invalid_request', 'AADSTS900144', "The request body must contain the following parameter: 'scope'.");
    const scopes = scope.split(' ').filter((entry) => entry !== '');
    const single = scopes.length === 1 ? scopes[0]! : undefined;
    if (single?.endsWith('/.default') !== true) {
      return this.error(
        400,
        'invalid_scope',
        'AADSTS1002012',
        `The provided value for scope ${scope.slice(0, 128)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = single.slice(0, -'/.default'.length);
    if (!this.resources.includes(resource)) {
      return this.error(400, 'invalid_resource', 'AADSTS500011', `The resource principal named ${resource.slice(0, 128)} was not found in the tenant named ${tenant}.`);
    }
    const { token, expiresOnTimestamp } = this.options.issue(principal.policy);
    const expiresIn = Math.max(0, Math.floor((expiresOnTimestamp - this.now()) / 1000));
    return { status: 200, headers: { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' }, body: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token } };
  }

  private error(status: number, error: string, code: string, description: string): FakeResponse {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date(this.now()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    return {
      status,
      headers: { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' },
      body: {
        error,
        error_description: `${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
        error_codes: [Number(code.slice('AADSTS'.length))],
        timestamp,
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `${this.authorityHost}/error?code=${code.slice('AADSTS'.length)}`,
      },
    };
  }
}
