import { openRef } from '../environments/resolve-backend';
import { invalidInput, LatchkeyError, notFound } from '../errors';
import { describeError } from '../log';
import type { SecretBackend, SecretDescription, SecretVersionInfo, WriteResult } from '../secrets/backend';
import { auditBase, readCurrent, readStable, recordOutcome, type RotationContext, type RotationDeps } from './rotate-secret';
import { failureMessage, stateOf, type RotationResult } from './rotation-result';
import { replaceCurrent } from './verified-write';
import { previousVersionOf } from './versions';

/**
 * Rollback: make the previous value current again — read version N-1, write it as the new current
 * version (or, where the backend has staging labels, move AWSCURRENT back to it), verify, audit. For a
 * backend without versions the previous value comes from the escrow, and the value it replaces goes
 * there, so a second rollback undoes the first. `state: 'rotated'` in the result means "the rollback took".
 */
export interface RollbackResult extends RotationResult {
  /** The version whose value is current again. */
  restoredFrom?: string;
}

export interface RollbackContext extends RotationContext {
  /**
   * Restore this version instead of the previous one (audited as secret.restore). Backends with staging
   * labels move AWSCURRENT to it; others write its value as a new version.
   */
  toVersion?: string;
}

/** Makes `version` current again: the history panel's "Restore". */
export function restoreVersion(deps: RotationDeps, ref: string, version: string, context: RotationContext = {}): Promise<RollbackResult> {
  return rollbackSecret(deps, ref, { ...context, toVersion: version });
}

export async function rollbackSecret(deps: RotationDeps, ref: string, context: RollbackContext = {}): Promise<RollbackResult> {
  const verb = context.toVersion === undefined ? 'Rollback' : 'Restore';
  let path: string;
  let backend: SecretBackend;
  try {
    ({ backend, path } = await openRef(deps.resolveBackend, ref));
    const attached = await deps.services?.rotatorFor(ref, context);
    if (attached !== undefined) {
      // The old credential was retired at the service: the old value would be a password that no longer works.
      throw invalidInput(
        `${ref} rotates at ${attached.rotator.service ?? 'its command hook'}, where its earlier credential was retired, so an earlier value would not log in. Rotate it again instead (latchkey rotate ${ref}).`,
      );
    }
  } catch (error) {
    return { ref, ok: false, state: 'unchanged', error: failureMessage(verb, ref, 'unchanged', error) };
  }
  const base = auditBase(context.toVersion === undefined ? 'secret.rollback' : 'secret.restore', ref, context);
  try {
    await deps.audit.append({ ...base, outcome: 'started' });
  } catch (error) {
    return {
      ref,
      ok: false,
      state: 'unchanged',
      error: failureMessage(verb, ref, 'unchanged', new LatchkeyError('BackendUnavailable', 'the audit log could not be written, and Latchkey does not change secrets without a record', { cause: error })),
    };
  }

  let result: RollbackResult;
  let previousVersion: string | undefined;
  try {
    const current = await readCurrent(backend, path, ref);
    previousVersion = current.version;
    const description = await backend.describe(path);
    const metadata = backend.capabilities.metadata && description.metadata !== undefined ? { ...description.metadata } : undefined;
    let target: { value: string; version?: string };
    /** Makes the target current; names the version that is then current, where the backend does. */
    let write: () => Promise<WriteResult>;

    if (backend.capabilities.versions) {
      const previous = context.toVersion === undefined ? previousVersionOf(description, current.version) : chosenVersion(description, current.version, context.toVersion);
      const value = (await readStable(backend, path, previous.version)).value;
      target = { value, version: previous.version };
      const { promote } = backend;
      write =
        promote !== undefined && previous.stages !== undefined
          ? async () => {
              await promote.call(backend, path, previous.version);
              return { version: previous.version };
            }
          : () =>
              backend.set(path, value, {
                ...(metadata === undefined ? {} : { metadata }),
                ...(backend.capabilities.checkAndSet && current.version !== undefined ? { expectedVersion: current.version } : {}),
              });
    } else if (context.toVersion !== undefined) {
      throw invalidInput(`${ref} is kept in ${backend.scheme}, which stores no versions; only the value from before the last rotation can be brought back (rollback).`);
    } else {
      const escrow = deps.escrow;
      if (escrow === undefined) throw new LatchkeyError('NotFound', `${ref} is kept in ${backend.scheme}, which stores no earlier versions, and no previous value was kept for it.`);
      const value = await escrow.load(ref);
      if ((await escrow.load(ref)) !== value) {
        throw new LatchkeyError('BackendUnavailable', 'the kept previous value read back differently twice, so nothing was changed');
      }
      target = { value };
      write = () => backend.set(path, value);
    }

    const settled = await replaceCurrent({
      backend,
      path,
      oldValue: current.value,
      oldVersion: current.version,
      newValue: target.value,
      ...(metadata === undefined ? {} : { metadata }),
      write,
    });
    let warning: string | undefined;
    if (settled.state === 'changed' && !backend.capabilities.versions && deps.escrow !== undefined) {
      try {
        await deps.escrow.save(ref, current.value);
      } catch (error) {
        deps.logger?.warn('replaced value not kept in escrow', { ref, error: describeError(error) });
        warning = 'The value this rollback replaced could not be kept, so another rollback cannot bring it back.';
      }
    }
    const state = stateOf(settled.state);
    // Superseded without an error: the rollback took, and someone else's newer write is current.
    const superseded = state === 'superseded' && settled.error === undefined;
    if (superseded) warning = `A newer version${settled.version === undefined ? '' : ` (${settled.version})`} was written by someone else after this ${verb.toLowerCase()}; it is current and was left as it is.`;
    const version = superseded ? settled.written : settled.version;
    result = {
      ref,
      ok: state === 'rotated' || superseded,
      state,
      ...(version === undefined ? {} : { version }),
      ...(previousVersion === undefined ? {} : { previousVersion }),
      ...(target.version === undefined ? {} : { restoredFrom: target.version }),
      ...(state === 'rotated' || superseded ? {} : { error: failureMessage(verb, ref, state, settled.error) }),
      ...(warning === undefined ? {} : { warning }),
    };
  } catch (error) {
    deps.logger?.warn('rollback failed before writing', { ref, error: describeError(error) });
    result = { ref, ok: false, state: 'unchanged', ...(previousVersion === undefined ? {} : { previousVersion }), error: failureMessage(verb, ref, 'unchanged', error) };
  }
  await recordOutcome(deps, base, result);
  return result;
}

function chosenVersion(description: SecretDescription, currentVersion: string | undefined, wanted: string): SecretVersionInfo {
  const found = description.versions.find((version) => version.version === wanted);
  if (found === undefined) throw notFound(`${description.path} keeps no version ${wanted}.`);
  if (found.current || found.version === currentVersion) throw invalidInput(`Version ${wanted} is already the current one.`);
  if (found.state !== 'enabled') throw invalidInput(`Version ${wanted} is ${found.state}, so its value cannot be read to restore it.`);
  return found;
}
