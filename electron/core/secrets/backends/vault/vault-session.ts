import { z } from 'zod';
import { backendUnavailable, type LatchkeyError, unauthenticated } from '../../../errors';
import type { Logger } from '../../../log';
import { isTransient } from '../../remote/retry';
import { mapVaultError, vaultReplyOf } from './vault-errors';
import type { VaultHttp } from './vault-http';

/**
 * The Vault token a connection uses, kept alive:
 * - token auth: the given token; its TTL is learnt with lookup-self and it is renewed (renew-self) once
 *   `renewAfterFraction` of its lease has passed.
 * - AppRole: a login gives a token; it is renewed the same way, and when renewal fails or the max TTL
 *   caps it, the session logs in again. A request refused with 403 is retried once after a fresh login
 *   (the token may have been revoked); a second 403 is a real policy denial.
 * Renewal is checked before each request rather than on a timer, so an idle CLI holds no timers and a
 * machine that slept past the expiry logs in again on its next request.
 */
export type VaultAuth = { method: 'token'; token: string } | { method: 'approle'; roleId: string; secretId: string; mount?: string };

export interface VaultSessionOptions {
  http: VaultHttp;
  auth: VaultAuth;
  now: () => Date;
  logger: Logger;
  /** "Vault at vault.example.com". */
  target: string;
  /** Where the credentials came from, for messages: e.g. "VAULT_TOKEN" or 'connection "staging"'. */
  credentialsLabel: string;
  renewAfterFraction?: number;
}

interface TokenState {
  token: string;
  /** Lease in ms; 0 for a token that does not expire (a root token) or whose TTL is unknown. */
  leaseMs: number;
  obtainedAt: number;
  renewable: boolean;
  /** Renewal hit the max TTL: for AppRole, log in again at the next renewal point instead. */
  capped: boolean;
}

const authSchema = z.object({ client_token: z.string().min(1), lease_duration: z.number().int().nonnegative(), renewable: z.boolean().optional() });
const loginSchema = z.object({ auth: authSchema });
const lookupSchema = z.object({ data: z.object({ ttl: z.number().int().nonnegative(), renewable: z.boolean().optional() }) });

export class VaultSession {
  private state: TokenState | undefined;
  private pending: Promise<TokenState> | undefined;
  private readonly renewAfterFraction: number;

  constructor(private readonly options: VaultSessionOptions) {
    this.renewAfterFraction = options.renewAfterFraction ?? 0.7;
  }

  /** A token that is valid now, renewing or logging in first when it is due. */
  async token(timeoutMs: number): Promise<string> {
    const state = await this.ensure(timeoutMs);
    return state.token;
  }

  /**
   * The request made with `token` was refused with 403 (the caller asks at most once per request).
   * For AppRole, logs in again and returns so the request is tried once more; for a static token,
   * throws Unauthenticated when the token itself is no good, or `denied` when it may not do this.
   */
  async rejected(token: string, timeoutMs: number, denied: LatchkeyError): Promise<void> {
    const { auth, target, credentialsLabel } = this.options;
    if (auth.method === 'approle') {
      // Another request may have logged in already; then its token is the one to retry with.
      if (this.state?.token === token) this.state = undefined;
      this.options.logger.info('vault token refused; logging in again', { target });
      await this.ensure(timeoutMs);
      return;
    }
    // A static token: tell "the token is no good" from "the token may not do this".
    try {
      await this.options.http.send({ method: 'GET', path: 'auth/token/lookup-self', token, timeoutMs });
    } catch (error) {
      if (vaultReplyOf(error)?.status === 403) {
        throw unauthenticated(`${target} rejected the token from ${credentialsLabel}: it is invalid, revoked or expired. Get a new token and try again.`, { cause: denied });
      }
    }
    throw denied;
  }

  private async ensure(timeoutMs: number): Promise<TokenState> {
    while (this.pending !== undefined) await this.pending.catch(() => undefined);
    const state = this.state;
    if (state !== undefined && !this.due(state)) return state;
    const work = state === undefined ? this.establish(timeoutMs) : this.refresh(state, timeoutMs);
    this.pending = work;
    try {
      this.state = await work;
      return this.state;
    } finally {
      this.pending = undefined;
    }
  }

  private due(state: TokenState): boolean {
    return state.leaseMs > 0 && this.options.now().getTime() - state.obtainedAt >= state.leaseMs * this.renewAfterFraction;
  }

  private expired(state: TokenState): boolean {
    return state.leaseMs > 0 && this.options.now().getTime() - state.obtainedAt >= state.leaseMs;
  }

  private async establish(timeoutMs: number): Promise<TokenState> {
    const { auth } = this.options;
    if (auth.method === 'approle') return this.login(auth, timeoutMs);
    try {
      const lookup = lookupSchema.safeParse(await this.options.http.send({ method: 'GET', path: 'auth/token/lookup-self', token: auth.token, timeoutMs }));
      if (lookup.success) {
        return { token: auth.token, leaseMs: lookup.data.data.ttl * 1000, obtainedAt: this.options.now().getTime(), renewable: lookup.data.data.renewable === true, capped: false };
      }
    } catch (error) {
      // 403: invalid token, or one without the default policy; the request itself will tell which.
      if (vaultReplyOf(error)?.status !== 403) throw mapVaultError(error, { target: this.options.target, what: 'its own token' });
    }
    return { token: auth.token, leaseMs: 0, obtainedAt: this.options.now().getTime(), renewable: false, capped: false };
  }

  private async login(auth: Extract<VaultAuth, { method: 'approle' }>, timeoutMs: number): Promise<TokenState> {
    const { target, credentialsLabel } = this.options;
    let answer: unknown;
    try {
      answer = await this.options.http.send({
        method: 'POST',
        path: `auth/${encodeURIComponent(auth.mount ?? 'approle')}/login`,
        body: { role_id: auth.roleId, secret_id: auth.secretId },
        timeoutMs,
      });
    } catch (error) {
      const mapped = mapVaultError(error, { target, what: 'the AppRole login' });
      if (mapped.kind === 'Unauthenticated' || mapped.kind === 'InvalidInput' || mapped.kind === 'PermissionDenied') {
        throw unauthenticated(`${target} refused the AppRole login with the role id and secret id from ${credentialsLabel}. Check them, or issue a new secret id.`, { cause: mapped });
      }
      throw mapped;
    }
    const parsed = loginSchema.safeParse(answer);
    if (!parsed.success) throw backendUnavailable(`${target} answered the AppRole login with something that is not a Vault token. Check the address of the connection.`);
    this.options.logger.info('vault approle login', { target, leaseSeconds: parsed.data.auth.lease_duration });
    return {
      token: parsed.data.auth.client_token,
      leaseMs: parsed.data.auth.lease_duration * 1000,
      obtainedAt: this.options.now().getTime(),
      renewable: parsed.data.auth.renewable !== false,
      capped: false,
    };
  }

  private async refresh(state: TokenState, timeoutMs: number): Promise<TokenState> {
    const { auth, target, credentialsLabel } = this.options;
    if (auth.method === 'approle' && (state.capped || !state.renewable)) return this.login(auth, timeoutMs);
    if (state.renewable) {
      try {
        const answer = loginSchema.safeParse(await this.options.http.send({ method: 'POST', path: 'auth/token/renew-self', token: state.token, body: {}, timeoutMs }));
        if (answer.success) {
          const leaseMs = answer.data.auth.lease_duration * 1000;
          this.options.logger.debug('vault token renewed', { target, leaseSeconds: answer.data.auth.lease_duration });
          return { ...state, leaseMs, obtainedAt: this.options.now().getTime(), capped: leaseMs < state.leaseMs };
        }
      } catch (error) {
        const mapped = mapVaultError(error, { target, what: 'its token renewal' });
        // The token is still good for a while: keep using it rather than fail the request.
        if (isTransient(mapped) && !this.expired(state)) return state;
        this.options.logger.warn('vault token renewal failed', { target, error: mapped });
      }
      if (auth.method === 'approle') return this.login(auth, timeoutMs);
    }
    if (!this.expired(state)) return { ...state, leaseMs: 0 };
    throw unauthenticated(`The token from ${credentialsLabel} has expired and ${target} would not renew it. Get a new token and try again.`);
  }
}
