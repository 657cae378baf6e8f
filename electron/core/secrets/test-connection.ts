import { randomBytes } from 'node:crypto';
import type { PublicError } from '../../../shared/errors';
import { isLatchkeyError, toPublicError } from '../errors';
import type { SecretBackend } from './backend';

/**
 * "Test connection": what works, step by step — reachable, authenticated, can list, can write. One
 * small listing answers the first three (its failure kind tells which step failed). Writing happens
 * only when asked, to a clearly named probe secret that is read back and then deleted for good.
 */
export type CheckOutcome = 'passed' | 'failed' | 'skipped';

export interface ConnectionCheck {
  outcome: CheckOutcome;
  /** What was checked or why it was skipped, for people. */
  detail: string;
  error?: PublicError;
}

export interface ConnectionTestReport {
  location: string;
  reachable: ConnectionCheck;
  authenticated: ConnectionCheck;
  canList: ConnectionCheck;
  canWrite: ConnectionCheck;
}

export interface ConnectionTestOptions {
  /** Where the environment's secrets are (a prefix); by default where the backend puts keys. */
  listPrefix?: string;
  /** Write, read back and delete a probe secret. Off unless asked. */
  write?: boolean;
  /** Where the probe goes (an environment's place for a key); by default where the backend puts keys. */
  pathForKey?: (key: string) => string;
}

export const PROBE_KEY_PREFIX = 'latchkey-connection-probe-';

const passed = (detail: string): ConnectionCheck => ({ outcome: 'passed', detail });
const skipped = (detail: string): ConnectionCheck => ({ outcome: 'skipped', detail });
const failed = (detail: string, error: unknown): ConnectionCheck => ({ outcome: 'failed', detail, error: toPublicError(error) });

export async function testConnection(backend: SecretBackend, options: ConnectionTestOptions = {}): Promise<ConnectionTestReport> {
  const location = backend.location ?? `${backend.scheme} backend`;
  const prefix = options.listPrefix ?? backend.pathForKey?.('') ?? '';
  let reachable: ConnectionCheck;
  let authenticated: ConnectionCheck;
  let canList: ConnectionCheck;
  try {
    await backend.list(prefix, { pageSize: 1 });
    reachable = passed('The service answered.');
    authenticated = passed('The credentials were accepted.');
    canList = passed(`Listing ${prefix === '' ? 'secrets' : `"${prefix}"`} is allowed.`);
  } catch (error) {
    const kind = isLatchkeyError(error) ? error.kind : 'Internal';
    if (kind === 'PermissionDenied') {
      reachable = passed('The service answered.');
      authenticated = passed('The credentials were accepted.');
      canList = failed('Listing was refused.', error);
    } else if (kind === 'Unauthenticated') {
      reachable = passed('The service answered.');
      authenticated = failed('The credentials were refused.', error);
      canList = skipped('Not tried without accepted credentials.');
    } else {
      reachable = failed('The service could not be reached or did not answer as expected.', error);
      authenticated = skipped('Not tried: the service did not answer.');
      canList = skipped('Not tried: the service did not answer.');
    }
  }
  const canWrite =
    options.write !== true
      ? skipped('Not asked: nothing was written.')
      : authenticated.outcome !== 'passed'
        ? skipped('Not tried without accepted credentials.')
        : await probeWrite(backend, options.pathForKey ?? backend.pathForKey?.bind(backend));
  return { location, reachable, authenticated, canList, canWrite };
}

async function probeWrite(backend: SecretBackend, pathForKey: ((key: string) => string) | undefined): Promise<ConnectionCheck> {
  if (pathForKey === undefined) return skipped('This backend has no place for a probe secret.');
  let path: string;
  try {
    path = pathForKey(`${PROBE_KEY_PREFIX}${randomBytes(6).toString('hex')}`);
  } catch (error) {
    return failed('There is no place for a probe secret on this connection.', error);
  }
  const probe = `probe-${randomBytes(16).toString('hex')}`;
  let written = false;
  try {
    await backend.set(path, probe, backend.capabilities.metadata ? { metadata: { purpose: 'latchkey-connection-test' } } : {});
    written = true;
    const read = await backend.get(path);
    if (read.value !== probe) return { outcome: 'failed', detail: `The probe secret ${path} read back differently from what was written.` };
    await backend.delete(path, { force: true });
    written = false;
    return passed(`Wrote, read back and deleted the probe secret ${path}.`);
  } catch (error) {
    return failed(written ? `The probe secret ${path} was written but could not be read back or deleted; delete it by hand.` : `Writing the probe secret ${path} was refused.`, error);
  } finally {
    if (written) await backend.delete(path, { force: true }).catch(() => undefined);
  }
}
