import { permissionDenied } from './errors';

/**
 * Latchkey's own keychain services — the store's data key (`latchkey`), connection credentials
 * (`latchkey-connections`), session-server passwords (`latchkey-redis`), and any added later — are one
 * namespace: `latchkey` and every service that starts with `latchkey-`. They are for main alone, so the
 * `keychain://` backend refuses the whole namespace by this one rule rather than by a list someone must
 * remember to extend. New services are named with ownKeychainService(), which keeps them inside it.
 *
 * One name in the namespace is the user's: `latchkey-secrets`, where keychain-bound environments keep
 * their secrets by default (it predates this rule, and moving it would strand existing entries).
 */
const NAMESPACE = 'latchkey';

/** The default service for secrets a person keeps in the keychain through Latchkey. */
export const USER_SECRETS_SERVICE = `${NAMESPACE}-secrets`;

/** The name of one of Latchkey's own keychain services: `latchkey`, or `latchkey-<purpose>`. */
export function ownKeychainService(purpose?: string): string {
  if (purpose === undefined) return NAMESPACE;
  if (!/^[a-z][a-z0-9-]*$/.test(purpose) || `${NAMESPACE}-${purpose}` === USER_SECRETS_SERVICE) {
    throw new Error(`"${purpose}" cannot name one of Latchkey's keychain services`);
  }
  return `${NAMESPACE}-${purpose}`;
}

/**
 * Whether `service` belongs to Latchkey itself. Compared without case: Windows Credential Manager finds
 * `LATCHKEY-REDIS/…` when asked for `latchkey-redis/…`.
 */
export function isOwnKeychainService(service: string): boolean {
  const name = service.toLowerCase();
  if (name === USER_SECRETS_SERVICE) return false;
  return name === NAMESPACE || name.startsWith(`${NAMESPACE}-`);
}

export const OWN_SERVICE_RULE =
  `keychain services named "${NAMESPACE}" or starting with "${NAMESPACE}-" hold Latchkey's own keys and credentials ` +
  `(except ${USER_SECRETS_SERVICE}, the default place for your secrets)`;

/** PermissionDenied for a service of Latchkey's own, with what to use instead. */
export function refuseOwnKeychainService(service: string): void {
  if (!isOwnKeychainService(service)) return;
  throw permissionDenied(
    `The keychain service "${service.slice(0, 128)}" is Latchkey's own: ${OWN_SERVICE_RULE}. ` +
      'They cannot be read, listed, changed or rotated as secrets. Keep your secrets under another service, ' +
      `e.g. keychain://${USER_SECRETS_SERVICE}/<account>; a saved credential is changed where it was saved (Connections, or a session server).`,
  );
}
