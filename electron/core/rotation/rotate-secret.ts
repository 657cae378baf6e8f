import type { Slots } from '../async/slots';
import type { AuditSink } from '../audit/audit-log';
import type { AuditEvent } from '../audit/entry';
import { invalidInput, isLatchkeyError, LatchkeyError, notFound } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import type { PublicError } from '../../../shared/errors';
import type { ReadResult, SecretBackend, SecretDescription, SecretMetadata } from '../secrets/backend';
import type { SnapshotsBeforeChange } from '../snapshots/before-change';
import { openRef, type ResolveBackend } from '../environments/resolve-backend';
import type { PreviousValueEscrow } from './escrow';
import { canReuseRead, type InspectedRead } from './inspect-targets';
import type { OriginRecords } from './origin-records';
import { ORIGIN_METADATA_KEY } from './origin-records';
import { generateValue, withPolicy, type RotationPolicy } from './policy';
import { failureMessage, stateOf, type RotationResult } from './rotation-result';
import type { AttachedRotator, ServiceRotation, ServiceRotationStep } from '../services/service-rotation';
import type { RotationRule } from './rotation-rule';
import { ruleForSecret } from './secret-rule';
import { replaceCurrent, type Settled } from './verified-write';

/**
 * Rotating one secret: the rotation rule (rotation-rule.ts) → generate → write as a new version
 * (check-and-set where the backend has it, or stage → verify → promote where it has staging labels) →
 * read back and verify by version → the previous value stays restorable (as an older version, or in the
 * escrow for backends without versions) → the origin record of the new value → audit entry. A value
 * Latchkey may not generate (typed in, imported, a provider's key, a URL) is left as it is, and the
 * result says why. A `started` audit entry is written before anything changes, so even a crash leaves a trace.
 */
export interface RotationDeps {
  /** The backend that serves a reference (the core's `backends.resolve`, or an environment's own backend). */
  resolveBackend: ResolveBackend;
  audit: AuditSink;
  logger?: Logger;
  /** Required to rotate secrets whose backend keeps no versions. */
  escrow?: PreviousValueEscrow;
  /** Value generation; injectable so tests can force a collision. */
  generate?: (policy: RotationPolicy) => string;
  /** Rotation at the service for secrets with a rotator; without it every rotation changes the stored copy only. */
  services?: ServiceRotation;
  /** Which values Latchkey generated. Without it, only a policy the person chose lets a secret be generated. */
  origins?: OriginRecords;
  /** Snapshots taken before the bulk rotations (incident, rotate --due); absent: none is taken. */
  snapshots?: SnapshotsBeforeChange;
}

export interface RotationContext {
  project?: string;
  environment?: string;
  /** The secret's key in its environment (finds its rotator without locating the reference). */
  key?: string;
  /** The incident report this rotation belongs to. */
  reportId?: string;
}

export interface RotateOptions extends RotationContext {
  /** Overrides the stored policy; stored with the new value where the backend writes metadata with it. */
  policy?: RotationPolicy;
  /** Checked before anything changes; a rotation that has started always finishes. */
  signal?: AbortSignal;
  /** The saved connection the reference is resolved on (recorded for a rotation at a service). */
  connection?: string;
  /** Each step of a rotation at a service as it happens (the app shows them live). */
  onStep?: (step: ServiceRotationStep) => void;
  /**
   * The secret as an incident's inspection just read it. Used instead of reading again only where the
   * write is check-and-set on its version (inspect-targets.ts `canReuseRead`): if the secret changed
   * since, the write is refused and the rotation reads it again and judges it anew.
   */
  read?: InspectedRead;
  /**
   * Bounds the rotations reading and writing backends at once (an incident's concurrency). The audit
   * entries before and after are written outside the slot, so waiting for the log never holds one.
   */
  backendSlots?: Slots;
}

export async function rotateSecret(deps: RotationDeps, ref: string, options: RotateOptions = {}): Promise<RotationResult> {
  let path: string;
  let backend: SecretBackend;
  if (isAborted(options.signal)) return notStarted(ref);
  let attached: AttachedRotator | undefined;
  try {
    ({ backend, path } = await openRef(deps.resolveBackend, ref));
    attached = await deps.services?.rotatorFor(ref, options);
  } catch (error) {
    return { ref, ok: false, state: 'unchanged', error: failureMessage('Rotation', ref, 'unchanged', error) };
  }
  // A secret with a rotator is changed where it is checked first (create → set → test → finish).
  if (attached !== undefined && deps.services !== undefined) {
    const { services } = deps;
    const release = await options.backendSlots?.acquire();
    try {
      return await services.rotate({ ref, backend, path, attached, options });
    } finally {
      release?.();
    }
  }
  const base = auditBase('secret.rotate', ref, options);
  try {
    await deps.audit.append({ ...base, outcome: 'started' });
  } catch (error) {
    deps.logger?.error('rotation not started: audit log unavailable', { ref, error });
    return { ref, ok: false, state: 'unchanged', error: failureMessage('Rotation', ref, 'unchanged', auditUnavailable(error)) };
  }

  // The backend slot is held only while the backend is read and written, not while the audit log is.
  const release = await options.backendSlots?.acquire();
  let result: RotationResult;
  try {
    // Cancelled while it waited for a slot: nothing was read or written yet.
    if (isAborted(options.signal)) {
      result = notStarted(ref);
    } else {
      const given = options.read !== undefined && canReuseRead(backend) ? options.read : undefined;
      let attempt = await rotateStored(deps, backend, path, ref, options, given);
      // The secret changed since it was inspected (the check-and-set refused the write): judge it again as it is now.
      if (attempt.stale) attempt = await rotateStored(deps, backend, path, ref, options, undefined);
      result = attempt.result;
    }
  } finally {
    release?.();
  }
  await recordOutcome(deps, base, result);
  return result;
}

/**
 * One attempt: the rule on the value read (or `given`, read moments before on a check-and-set backend),
 * then generate, keep the previous value, write and verify. `stale`: the write was refused because the
 * secret changed since `given` was read, so nothing changed and the caller reads it again.
 */
async function rotateStored(
  deps: RotationDeps,
  backend: SecretBackend,
  path: string,
  ref: string,
  options: RotateOptions,
  given: InspectedRead | undefined,
): Promise<{ result: RotationResult; stale: boolean }> {
  let previousVersion: string | undefined;
  let rule: RotationRule | undefined;
  let result: RotationResult;
  try {
    const { description, current: read } = given ?? (await describeForRotation(backend, path, ref));
    // Without versions the old value is about to be persisted in the escrow: read it twice to be sure of it.
    const current = read ?? (await readCurrent(backend, path, ref, !backend.capabilities.versions));
    previousVersion = current.version;
    const origins = await deps.origins?.load();
    rule = await ruleForSecret({ ref, description, value: current.value, ...(options.policy === undefined ? {} : { chosenPolicy: options.policy }), ...(origins === undefined ? {} : { origins }) });
    const policy = rule.policy;
    if (rule.class !== 'generate' || policy === undefined) {
      result = { ref, ok: false, state: 'unchanged', ...(previousVersion === undefined ? {} : { previousVersion }), rule: summaryOf(rule), error: leftByRule(ref, rule) };
    } else {
      await keepPrevious(deps, backend, ref, current.value);
      const generate = deps.generate ?? generateValue;
      let next = generate(policy);
      if (next === current.value) next = generate(policy); // a repeat would make "rotated" indistinguishable from "unchanged"
      if (next === current.value) throw new LatchkeyError('Internal', 'The generator returned the current value twice; check the rotation policy.');

      const carriesMetadata = backend.capabilities.metadata && !stages(backend);
      const origin = carriesMetadata && deps.origins !== undefined ? await deps.origins.recordFor(description.metadata, next) : undefined;
      const settled = await writeNewValue(backend, path, current, next, metadataFor(backend, description, options.policy, origin));
      result = { ...toResult(ref, settled, previousVersion), rule: summaryOf(rule) };
      if (given !== undefined && settled.state === 'unchanged' && isLatchkeyError(settled.error) && settled.error.kind === 'Conflict') return { result, stale: true };
      if (settled.state === 'changed' && origin === undefined && deps.origins !== undefined) {
        // No metadata went with the value: its origin record goes to the state file.
        await deps.origins.remember(ref, next).catch((error: unknown) => {
          deps.logger?.warn('origin of a generated value not recorded', { ref, error: describeError(error) });
          result.warning = 'Latchkey could not record that it generated this value, so its next rotation is by hand unless you choose a generator in its policy.';
        });
      }
    }
  } catch (error) {
    // Failures before the write: nothing was changed.
    result = {
      ref,
      ok: false,
      state: 'unchanged',
      ...(previousVersion === undefined ? {} : { previousVersion }),
      ...(rule === undefined ? {} : { rule: summaryOf(rule) }),
      error: failureMessage('Rotation', ref, 'unchanged', error),
    };
    deps.logger?.warn('rotation failed before writing', { ref, error: describeError(error) });
  }
  return { result, stale: false };
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Cancelled before anything was read or written. */
function notStarted(ref: string): RotationResult {
  return { ref, ok: false, state: 'unchanged', error: failureMessage('Rotation', ref, 'unchanged', new LatchkeyError('Cancelled', 'it was cancelled before it started')) };
}

/** Backends with staging labels write the new value without its metadata (AWS: tags are per secret). */
function stages(backend: SecretBackend): boolean {
  return backend.stage !== undefined && backend.promote !== undefined;
}

function summaryOf(rule: RotationRule): NonNullable<RotationResult['rule']> {
  return { class: rule.class, reason: rule.reason, ...(rule.provider === undefined ? {} : { provider: rule.provider }) };
}

/** Why the rule left a secret as it is: the person rotates it where it was issued (or a rotator does). */
function leftByRule(ref: string, rule: RotationRule): PublicError {
  return {
    kind: 'InvalidInput',
    message:
      rule.class === 'by-hand'
        ? `${ref} is rotated by hand, so Latchkey left it unchanged. ${rule.reason}`
        : `${ref} is rotated at ${rule.service ?? 'its service'} by its rotator, not by storing a generated value; Latchkey left it unchanged.`,
  };
}

/** Writes `next` as the new current value: check-and-set, or stage → verify → promote; then reads it back. */
export async function writeNewValue(backend: SecretBackend, path: string, current: ReadResult, next: string, metadata: SecretMetadata | undefined): Promise<Settled> {
  const { stage, promote } = backend;
  if (stage !== undefined && promote !== undefined) {
    // Two-phase: the new value is stored as pending and checked before it becomes current.
    let staged: string | undefined;
    return replaceCurrent({
      backend,
      path,
      oldValue: current.value,
      oldVersion: current.version,
      newValue: next,
      write: async () => {
        const written = await stage.call(backend, path, next);
        if (written.version === undefined) throw new LatchkeyError('Internal', 'The backend did not name the staged version.');
        staged = written.version;
        const check = await backend.get(path, { version: staged });
        if (check.value !== next) {
          throw new LatchkeyError('BackendUnavailable', 'the staged value read back differently, so it was not made current');
        }
        await promote.call(backend, path, staged);
        return written;
      },
      restore: async () => {
        if (current.version === undefined) throw new LatchkeyError('Internal', 'No previous version to promote back.');
        await promote.call(backend, path, current.version);
      },
    });
  }
  return replaceCurrent({
    backend,
    path,
    oldValue: current.value,
    oldVersion: current.version,
    newValue: next,
    ...(metadata === undefined ? {} : { metadata }),
    write: () =>
      backend.set(path, next, {
        ...(metadata === undefined ? {} : { metadata }),
        ...(backend.capabilities.checkAndSet && current.version !== undefined ? { expectedVersion: current.version } : {}),
      }),
  });
}

/** Where the backend has no history, the old value goes to the escrow first; without one, refuse. */
export async function keepPrevious(deps: Pick<RotationDeps, 'escrow'>, backend: SecretBackend, ref: string, value: string): Promise<void> {
  if (backend.capabilities.versions) return;
  if (deps.escrow === undefined) {
    throw invalidInput(
      `${ref} is kept in ${backend.scheme}, which stores no earlier versions, so its current value could not be restored after a rotation. ` +
        'Move it to a backend with versions (the local file store, Vault, AWS, Google, Azure) before rotating it.',
    );
  }
  await deps.escrow.save(ref, value);
}

/** The description, and the current value too where the backend reads it to describe anyway (Vault: one request fewer). */
async function describeForRotation(backend: SecretBackend, path: string, ref: string): Promise<{ description: SecretDescription; current?: ReadResult }> {
  if (backend.describeWithCurrent === undefined || !backend.capabilities.versions) return { description: await backend.describe(path) };
  try {
    return await backend.describeWithCurrent(path);
  } catch (error) {
    if (error instanceof LatchkeyError && error.kind === 'NotFound') throw notFound(`${ref} does not exist, so there is nothing to rotate. Set a value first.`);
    throw error;
  }
}

export async function readCurrent(backend: SecretBackend, path: string, ref: string, twice = false): Promise<ReadResult> {
  try {
    return twice ? await readStable(backend, path) : await backend.get(path);
  } catch (error) {
    if (error instanceof LatchkeyError && error.kind === 'NotFound') throw notFound(`${ref} does not exist, so there is nothing to rotate. Set a value first.`);
    throw error;
  }
}

/**
 * Reads a value twice and insists on the same answer. Used where the value read is written somewhere
 * (the escrow, a rollback): a read that came back damaged must not become a stored value.
 */
export async function readStable(backend: SecretBackend, path: string, version?: string): Promise<ReadResult> {
  const options = version === undefined ? undefined : { version };
  const first = await backend.get(path, options);
  const second = await backend.get(path, options);
  if (first.value !== second.value || first.version !== second.version) {
    throw new LatchkeyError('BackendUnavailable', 'the backend answered two reads of the same version differently, so nothing was changed');
  }
  return first;
}

/** Metadata to write with the new value: the existing metadata (kept), plus an overriding policy and the origin record. */
export function metadataFor(backend: SecretBackend, description: SecretDescription, policy: RotationPolicy | undefined, origin: string | undefined): SecretMetadata | undefined {
  if (!backend.capabilities.metadata) return undefined;
  const kept = policy === undefined ? description.metadata : withPolicy(description.metadata, policy);
  if (origin !== undefined) return { ...kept, [ORIGIN_METADATA_KEY]: origin };
  return kept === undefined ? undefined : { ...kept };
}

/**
 * A rotation that someone else's newer write superseded still happened (its version holds the new value):
 * it is ok, names the version it wrote, and warns that another one is current.
 */
function toResult(ref: string, settled: Settled, previousVersion: string | undefined): RotationResult {
  const state = stateOf(settled.state);
  const superseded = state === 'superseded' && settled.error === undefined;
  const ok = state === 'rotated' || superseded;
  const version = superseded ? settled.written : settled.version;
  return {
    ref,
    ok,
    state,
    ...(version === undefined ? {} : { version }),
    ...(previousVersion === undefined ? {} : { previousVersion }),
    ...(ok ? {} : { error: failureMessage('Rotation', ref, state, settled.error) }),
    ...(superseded ? { warning: `A newer version${settled.version === undefined ? '' : ` (${settled.version})`} was written by someone else after this rotation; it is current and was left as it is.` } : {}),
  };
}

export function auditBase(action: 'secret.rotate' | 'secret.rollback' | 'secret.restore', ref: string, context: RotationContext): Omit<AuditEvent, 'outcome'> {
  return {
    action,
    ref,
    ...(context.project === undefined ? {} : { project: context.project }),
    ...(context.environment === undefined ? {} : { environment: context.environment }),
    ...(context.reportId === undefined ? {} : { report_id: context.reportId }),
  };
}

/** The outcome entry. If it cannot be written the result still stands, but says so. */
export async function recordOutcome(deps: Pick<RotationDeps, 'audit' | 'logger'>, base: Omit<AuditEvent, 'outcome'>, result: RotationResult): Promise<void> {
  try {
    await deps.audit.append({
      ...base,
      outcome: result.ok ? 'ok' : 'failed',
      ...(result.version === undefined || !isVersionId(result.version) ? {} : { version: result.version }),
      ...(result.previousVersion === undefined || !isVersionId(result.previousVersion) ? {} : { previous_version: result.previousVersion }),
      ...(result.error === undefined ? {} : { error_kind: result.error.kind }),
    });
  } catch (error) {
    deps.logger?.error('audit outcome entry could not be written', { ref: base.ref, error });
    result.warning = 'The audit log could not record the outcome of this operation; only its "started" entry is there.';
  }
}

/** Backend version ids go into the audit only when they fit its closed alphabet (AWS uses UUIDs, Vault numbers). */
function isVersionId(text: string): boolean {
  return /^[A-Za-z0-9._:+/=-]{1,200}$/.test(text);
}

function auditUnavailable(error: unknown): LatchkeyError {
  const detail = error instanceof LatchkeyError ? ` (${error.message.replace(/\.$/, '')})` : '';
  return new LatchkeyError('BackendUnavailable', `the audit log could not be written${detail}, and Latchkey does not change secrets without a record`, { cause: error });
}
