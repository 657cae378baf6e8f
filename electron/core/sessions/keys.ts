import { invalidInput } from '../errors';
import { isSessionId } from './tokens';

/**
 * Where things live in Redis.
 *
 * Session keys are fixed by the HandsFree server: `<prefix><sha256 hex>`. Latchkey's own keys (the
 * per-user and per-device indexes and the failed-validation counters) live under `latchkey:<prefix>`,
 * which must not itself start with the session prefix: the server's own bulk revocation scans
 * `<prefix>*` and reads every match as a session hash, so an index there would break it.
 *
 * In a Redis Cluster every command and script Latchkey sends touches exactly one key, so no key needs
 * a hash tag and nothing can fail with CROSSSLOT; multi-key work is grouped per node by the client's
 * auto-pipelining instead. (Hash-tagging the indexes together would put every index on one node.)
 */
export const DEFAULT_PREFIX = 'session:';
const OWN_NAMESPACE = 'latchkey:';
const PREFIX_RULE = /^[\x21-\x7e]{1,64}$/;

export class SessionKeys {
  readonly prefix: string;
  private readonly own: string;

  constructor(prefix: string = DEFAULT_PREFIX) {
    if (!PREFIX_RULE.test(prefix)) {
      throw invalidInput('A session key prefix must be 1 to 64 printable ASCII characters without spaces, such as "session:".');
    }
    const own = `${OWN_NAMESPACE}${prefix}`;
    if (own.startsWith(prefix)) {
      throw invalidInput(
        `The session key prefix "${prefix}" would also match Latchkey's own index keys (${own}…), which the server would then read as sessions. Use a more specific prefix, such as "session:".`,
      );
    }
    this.prefix = prefix;
    this.own = own;
  }

  session(id: string): string {
    return `${this.prefix}${id}`;
  }

  /** The session id of a key under the prefix, or undefined when the rest is not a 64-digit hex hash. */
  idOf(key: string): string | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const id = key.slice(this.prefix.length);
    return isSessionId(id) ? id : undefined;
  }

  /** The SCAN MATCH pattern for every key under the prefix, with glob characters escaped. */
  scanPattern(): string {
    return `${this.prefix.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}*`;
  }

  userIndex(userId: string): string {
    return `${this.own}user:${userId}`;
  }

  deviceIndex(deviceId: string): string {
    return `${this.own}device:${deviceId}`;
  }

  /** The dashboard's last counts, shared by every Latchkey that administers this prefix (shared-stats.ts). */
  statsResult(): string {
    return `${this.own}stats:last`;
  }

  /** Held while one Latchkey walks for the dashboard, so that no other starts a second walk. */
  statsLease(): string {
    return `${this.own}stats:walk`;
  }

  /** Failed validations counted in the UTC hour that starts at `hourStartMs`. */
  failedValidations(hourStartMs: number): string {
    return `${this.own}failed:${new Date(hourStartMs).toISOString().slice(0, 13)}`;
  }
}
