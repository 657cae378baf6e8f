import { hostname } from 'node:os';
import type { AuditSink } from '../audit/audit-log';
import type { EnvironmentView } from '../environments/environment-view';
import { backendUnavailable, conflict, invalidInput, isLatchkeyError, LatchkeyError, notFound } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import type { PreviousValueEscrow } from '../rotation/escrow';
import { generateValue, isGenerated, policyFromMetadata, type RotationPolicy } from '../rotation/policy';
import { auditBase, keepPrevious, metadataFor, readCurrent, recordOutcome, writeNewValue, type RotateOptions } from '../rotation/rotate-secret';
import { reasonOf, type RotationResult } from '../rotation/rotation-result';
import type { ServiceRotationStepName } from '../../../shared/rotation';
import type { SecretBackend } from '../secrets/backend';
import { parseRef, type SecretRef } from '../secrets/reference';
import type { CheckStep, Credential, RotationPhase, RotationTarget, RotatorSettings, ServiceDriver, ServiceEndpoint } from './driver';
import type { JournalEntry, RotationJournal } from './rotation-journal';
import { endpointName, type LocatedSecret, type Rotators } from './rotators';
import type { StoredRotator } from './service-config';
import type { ServiceKinds } from './service-kinds';
import { codecFor } from './value-codecs';

/**
 * Rotation at the service, in the four steps AWS Secrets Manager documents:
 *   create  generate the new value and keep it staged (sealed in the journal), not current;
 *   set     change the credential at the service;
 *   test    log in with the new credential;
 *   finish  make the new value current in the store, then retire the old credential — at once, or
 *           after the rotator's grace period (never in an incident: a leaked credential gets none).
 * A failure before finish leaves the old credential working and the old value current: a change made
 * at the service is undone. Where it cannot be undone, the result says what state the service and the
 * store are in and the one command that finishes the job (`latchkey rotators finish REF`), and the
 * journal keeps what that command needs. Every step is journaled before and after it happens, so a
 * rotation killed at any point is finished or undone by the next run (`recover`).
 */
export interface ServiceRotationDeps {
  rotators: Rotators;
  kinds: ServiceKinds;
  journal: RotationJournal;
  audit: AuditSink;
  logger: Logger;
  now: () => Date;
  escrow?: PreviousValueEscrow;
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
  resolveBackend(ref: SecretRef, connection?: string): Promise<SecretBackend>;
  /** Value generation; injectable so tests can force a value. */
  generate?: (policy: RotationPolicy) => string;
}

/** Where a secret is, as far as the caller knows it (an incident item knows all three). */
export interface SecretContext {
  project?: string;
  environment?: string;
  key?: string;
}

export interface AttachedRotator {
  secret: LocatedSecret;
  rotator: StoredRotator;
  /** The service's name as results name it (`pg-prod`, `command:rotate.sh`). */
  service: string;
}

/**
 * One step of a rotation at a service, as it happens — plain data for the app's live view:
 *   created           the new value is generated and staged (sealed in the journal), not current
 *   set               the service took the new credential
 *   tested            the new credential logged in
 *   stored            the new value is current in the store
 *   retired           the old credential was retired at the service
 *   old-refused       the old credential was tried once more and refused
 *   retire-scheduled  the old credential stays valid until `at` (the grace period)
 *   undone            a step failed and the change at the service was taken back
 */
export interface ServiceRotationStep {
  ref: string;
  service: string;
  step: ServiceRotationStepName;
  /** retire-scheduled: when the old credential is retired. */
  at?: string;
}

/** What a recovery did with one journal entry. */
export interface RecoveryOutcome {
  ref: string;
  service: string;
  /** finished: the new value is current; undone: the old one is, and works; retired: a grace period ended; waiting: not due yet; failed: see error. */
  outcome: 'finished' | 'undone' | 'retired' | 'waiting' | 'failed';
  /** For waiting: when the old credential is due to be retired. */
  retireAfter?: string;
  message: string;
  error?: { kind: LatchkeyError['kind']; message: string };
}

const DEFAULT_POLICY: RotationPolicy = { generator: 'password', length: 32 };

export function createServiceRotation(deps: ServiceRotationDeps) {
  const { journal, kinds, rotators } = deps;
  const log = deps.logger.child({ component: 'services.rotation' });
  const now = () => deps.now();

  const targetOf = (endpoint: ServiceEndpoint, rotator: StoredRotator, context: { ref: string; project?: string | undefined; environment?: string | undefined; reportId?: string | undefined; incident: boolean }) => (phase: RotationPhase): RotationTarget => {
    const settings: RotatorSettings = {
      strategy: rotator.strategy,
      self: rotator.self,
      graceSeconds: context.incident ? 0 : rotator.graceSeconds,
      ...(rotator.user === undefined ? {} : { user: rotator.user }),
      ...(rotator.userB === undefined ? {} : { userB: rotator.userB }),
      ...(rotator.timeoutSeconds === undefined ? {} : { timeoutSeconds: rotator.timeoutSeconds }),
      ...(rotator.command === undefined ? {} : { command: rotator.command }),
    };
    return {
      service: endpoint,
      rotator: settings,
      context: {
        ref: context.ref,
        phase,
        incident: context.incident,
        ...(context.project === undefined ? {} : { project: context.project }),
        ...(context.environment === undefined ? {} : { environment: context.environment }),
        ...(context.reportId === undefined ? {} : { reportId: context.reportId }),
      },
    };
  };

  /** The credential a stored value holds; the rotator's user fills in where the value has none. */
  const credentialIn = (value: string, rotator: StoredRotator, driver: ServiceDriver, ref: string): Credential => {
    let credential: Credential;
    try {
      credential = codecFor(rotator.format).read(value);
    } catch (error) {
      throw invalidInput(`The stored value of ${ref} is not in the form its rotator expects (${rotator.format}): ${reasonOf(error).reason}. Nothing was changed.`, { cause: error });
    }
    if (driver.makesCredential) return credential;
    if (credential.user === undefined) return { ...credential, ...(rotator.user === undefined ? {} : { user: rotator.user }) };
    const users = rotator.strategy === 'alternating' ? [rotator.user, rotator.userB] : [rotator.user];
    if (!users.includes(credential.user)) {
      throw invalidInput(`The stored value of ${ref} logs in as another user than its rotator changes (${users.join(' or ')}). Fix the value or the rotator (latchkey rotators set). Nothing was changed.`);
    }
    return credential;
  };

  /** The credential in a value someone else stored, when it is in the rotator's form. */
  const storedCredential = (value: string, rotator: StoredRotator, driver: ServiceDriver): Credential | undefined => {
    try {
      return credentialIn(value, rotator, driver, '');
    } catch {
      return undefined;
    }
  };

  /** The user that gets the new credential: the other one under alternating users, else the same. */
  const nextUser = (rotator: StoredRotator, current: Credential): string | undefined => {
    if (rotator.strategy !== 'alternating') return current.user;
    return current.user === rotator.user ? rotator.userB : rotator.user;
  };

  const backendOf = async (entry: Pick<JournalEntry, 'ref' | 'project' | 'environment' | 'connection'>): Promise<SecretBackend> => {
    if (entry.project !== undefined && entry.environment !== undefined) return (await deps.viewEnvironment(entry.project, entry.environment)).backend;
    return deps.resolveBackend(parseRef(entry.ref), entry.connection);
  };

  /** What the service holds in a state the lifecycle could not clean up, for the person reading the error. */
  const serviceState = (rotator: StoredRotator, service: string, current: Credential, next: Credential | undefined): string => {
    if (rotator.strategy === 'alternating') return `${next?.user ?? 'the other user'} may have the new password at ${service}; ${current.user ?? 'the user in use'} still logs in with the old one`;
    if (rotator.strategy === 'dual') return `both the old and the new credential may be valid at ${service}`;
    return `${service} may already hold the new password, so the old one may no longer log in there`;
  };

  const finishCommand = (ref: string) => `latchkey rotators finish ${ref}`;

  /**
   * Retires the old credential and tries it once more. Returns whether the service refused it (undefined:
   * it could not tell). Throws when the retirement itself failed.
   */
  const retireAndProve = async (driver: ServiceDriver, target: (phase: RotationPhase) => RotationTarget, old: Credential, next: Credential, onRetired?: () => void): Promise<boolean | undefined> => {
    await driver.retire(target('finish'), old, next);
    onRetired?.();
    try {
      return await driver.refuses(target('verify'), old);
    } catch (error) {
      log.warn('old credential could not be tried after retirement', { error: describeError(error) });
      return undefined;
    }
  };

  /** After an undo: does the old credential work again? (never leave "neither works" unreported) */
  const oldWorks = async (driver: ServiceDriver, target: (phase: RotationPhase) => RotationTarget, current: Credential): Promise<boolean | undefined> => {
    try {
      return !(await driver.refuses(target('verify'), current));
    } catch {
      return undefined;
    }
  };

  /**
   * Finishes or undoes one journal entry. The caller holds the entry's lock. `retireEarly`: a grace
   * period still running is cut short (a new rotation of the same secret is starting).
   */
  const settleEntry = async (entry: JournalEntry, options: { retireEarly?: boolean } = {}): Promise<RecoveryOutcome> => {
    const rotator = entry.rotator;
    const endpoint = await rotators.endpointOf(rotator);
    const driver = kinds.driver(rotator.kind);
    const target = targetOf(endpoint, rotator, { ref: entry.ref, project: entry.project, environment: entry.environment, reportId: entry.report_id, incident: entry.incident });
    const values = await journal.values(entry);
    const current = withUser(codecFor(rotator.format).read(values.old), entry.old_user);
    const next = withUser(codecFor(rotator.format).read(values.staged), entry.next_user);
    const outcome = (kind: RecoveryOutcome['outcome'], message: string, extra: Partial<RecoveryOutcome> = {}): RecoveryOutcome => ({ ref: entry.ref, service: entry.service, outcome: kind, message, ...extra });

    const undo = async (why: string): Promise<RecoveryOutcome> => {
      if (entry.step === 'setting' && driver.makesCredential && driver.discardUnrecorded !== undefined) await driver.discardUnrecorded(target('rollback'), current);
      else await driver.undo(target('rollback'), current, next);
      await journal.remove(entry.ref);
      const works = await oldWorks(driver, target, current);
      const tail = works === false ? ` WARNING: ${entry.service} now refuses the old credential as well; set a working value by hand.` : '';
      return outcome('undone', `${why}: the change at ${entry.service} was undone; the old value is current${works === true ? ' and logs in' : ''}.${tail}`);
    };

    const retire = async (): Promise<RecoveryOutcome> => {
      const refused = await retireAndProve(driver, target, current, next);
      await journal.remove(entry.ref);
      return outcome('retired', `The old credential of ${entry.ref} was retired at ${entry.service}${refused === true ? ' and is refused there' : refused === false ? ', but the service still accepts it' : ''}.`);
    };

    const afterStored = async (): Promise<RecoveryOutcome> => {
      const grace = entry.incident ? 0 : rotator.graceSeconds;
      const due = entry.retire_after ?? new Date(Date.parse(entry.updated_at) + grace * 1000).toISOString();
      if (!options.retireEarly && Date.parse(due) > now().getTime()) {
        if (entry.step !== 'retire-pending') await journal.advance(entry, { step: 'retire-pending', retire_after: due });
        return outcome('waiting', `The old credential of ${entry.ref} stays valid at ${entry.service} until ${due}.`, { retireAfter: due });
      }
      return retire();
    };

    switch (entry.step) {
      case 'setting':
        return undo(`The rotation of ${entry.ref} was interrupted while ${entry.service} was being changed`);
      case 'set': {
        try {
          await driver.test(target('test'), next);
        } catch (error) {
          if (isLatchkeyError(error) && error.kind === 'BackendUnavailable') throw error;
          return undo(`The rotation of ${entry.ref} was interrupted and its new credential does not log in at ${entry.service}`);
        }
        const backend = await backendOf(entry);
        const path = parseRef(entry.ref).path;
        const stored = await readCurrent(backend, path, entry.ref);
        if (stored.value !== values.staged) {
          if (stored.value !== values.old) {
            // Someone stored a value meanwhile. If it logs in, keep it and take back Latchkey's half-done change.
            const theirs = storedCredential(stored.value, rotator, driver);
            if (theirs !== undefined && (await driver.refuses(target('verify'), theirs)) === false) {
              await driver.undo(target('rollback'), theirs, next);
              await journal.remove(entry.ref);
              return outcome('undone', `The value of ${entry.ref} stored since the rotation was interrupted logs in at ${entry.service}; it was kept, and the interrupted change was taken back.`);
            }
            throw conflict(`The stored value of ${entry.ref} changed while its rotation was interrupted, so Latchkey did not overwrite it. ${serviceState(rotator, entry.service, current, next)}. Check which value works, set it (latchkey secrets set), then run ${finishCommand(entry.ref)}.`);
          }
          await keepPrevious({ ...(deps.escrow === undefined ? {} : { escrow: deps.escrow }) }, backend, entry.ref, values.old);
          const settled = await writeNewValue(backend, path, stored, values.staged, undefined);
          if (settled.state !== 'changed') throw backendUnavailable(`The new value of ${entry.ref} could not be stored (${reasonOf(settled.error).reason}); the new credential works at ${entry.service}. Run ${finishCommand(entry.ref)} again.`);
        }
        entry = await journal.advance(entry, { step: 'stored' });
        const retired = await afterStored();
        return retired.outcome === 'waiting' ? outcome('finished', `The interrupted rotation of ${entry.ref} was finished: the new value is current. ${retired.message}`, { ...(retired.retireAfter === undefined ? {} : { retireAfter: retired.retireAfter }) }) : outcome('finished', `The interrupted rotation of ${entry.ref} was finished: the new value is current. ${retired.message}`);
      }
      case 'stored':
      case 'retire-pending':
        return afterStored();
    }
  };

  const audit = async (entry: JournalEntry, outcome: 'ok' | 'failed') => {
    await deps.audit
      .append({ action: 'secret.rotate', outcome, ref: entry.ref, service: entry.service, ...(entry.project === undefined ? {} : { project: entry.project }), ...(entry.environment === undefined ? {} : { environment: entry.environment }) })
      .catch((error: unknown) => log.warn('audit entry of a recovery could not be written', { error: describeError(error) }));
  };

  /** Settles one entry, turning a failure into an outcome that says what to do; audited. */
  const settleSafely = async (entry: JournalEntry, options: { retireEarly?: boolean } = {}): Promise<RecoveryOutcome> => {
    try {
      const settled = await settleEntry(entry, options);
      if (settled.outcome !== 'waiting') await audit(entry, settled.outcome === 'undone' ? 'failed' : 'ok');
      return settled;
    } catch (error) {
      const { kind, reason } = reasonOf(error);
      log.warn('interrupted rotation not settled', { ref: entry.ref, error: describeError(error) });
      return {
        ref: entry.ref,
        service: entry.service,
        outcome: 'failed',
        message: `The interrupted rotation of ${entry.ref} at ${entry.service} could not be settled: ${reason}. Run ${finishCommand(entry.ref)} when that is fixed.`,
        error: { kind, message: `${reason}.` },
      };
    }
  };

  return {
    /** The rotator attached to a secret, or undefined (rotating it changes the stored copy only). */
    async rotatorFor(ref: string, context: SecretContext = {}): Promise<AttachedRotator | undefined> {
      if ((await rotators.stored()).length === 0) return undefined;
      let secret: LocatedSecret;
      if (context.project !== undefined && context.environment !== undefined && context.key !== undefined) {
        secret = { ref, project: context.project, environment: context.environment, key: context.key };
      } else {
        try {
          secret = await rotators.locate(ref);
        } catch {
          return undefined;
        }
      }
      const rotator = await rotators.find(secret);
      return rotator === undefined ? undefined : { secret, rotator, service: endpointName(rotator) };
    },

    /** Rotates a secret with a rotator (see above). Never throws: the result says what happened. */
    async rotate(input: { ref: string; backend: SecretBackend; path: string; attached: AttachedRotator; options: RotateOptions & { connection?: string } }): Promise<RotationResult> {
      const { ref, backend, path, attached, options } = input;
      const { rotator, secret } = attached;
      const incident = options.reportId !== undefined;
      let endpoint: ServiceEndpoint;
      try {
        endpoint = await rotators.endpointOf(rotator);
      } catch (error) {
        return failed(ref, undefined, error);
      }
      const base = { ...auditBase('secret.rotate', ref, { project: secret.project, environment: secret.environment, ...(options.reportId === undefined ? {} : { reportId: options.reportId }) }), service: endpoint.name };
      try {
        await deps.audit.append({ ...base, outcome: 'started' });
      } catch (error) {
        log.error('rotation not started: audit log unavailable', { ref, error });
        return failed(ref, endpoint.name, new LatchkeyError('BackendUnavailable', 'the audit log could not be written, and Latchkey does not change secrets without a record', { cause: error }));
      }
      const result = await journal
        .withLock(ref, async () => {
          // An earlier rotation of this secret left work behind: settle it first, cutting a grace period short.
          const pending = await journal.read(ref);
          if (pending !== undefined) {
            const settled = await settleSafely(pending, { retireEarly: true });
            if (settled.outcome === 'failed') {
              return failed(ref, endpoint.name, new LatchkeyError(settled.error?.kind ?? 'Internal', `an earlier rotation of it is unfinished and could not be settled (${settled.error?.message.replace(/\.$/, '') ?? 'unknown'}); nothing new was started. Run ${finishCommand(ref)} when that is fixed`));
            }
          }
          return runLifecycle(endpoint, backend, path, attached, { ...options, incident });
        })
        .catch(async (error: unknown) => {
          // A step that is journaled is settled by the next run; say so rather than "nothing changed".
          const left = await journal.read(ref).catch(() => undefined);
          if (left === undefined) return failed(ref, endpoint.name, error);
          const { kind, reason } = reasonOf(error);
          return { ref, ok: false, state: 'unknown' as const, changedAt: endpoint.name, oldRetired: false, error: { kind, message: `Rotation of ${ref} stopped after a change at ${endpoint.name} (${reason}). Run "${finishCommand(ref)}": it finishes the rotation or puts the old credential back.` } };
        });
      await recordOutcome(deps, base, result);
      return result;
    },

    /**
     * Finishes or undoes interrupted rotations and retires old credentials whose grace period ended
     * (`now`: also those still in their grace period). Without `ref`, every entry of the journal.
     */
    async recover(options: { ref?: string; now?: boolean } = {}): Promise<RecoveryOutcome[]> {
      const entries = options.ref === undefined ? await journal.list() : [await journal.read(options.ref)].filter((entry): entry is JournalEntry => entry !== undefined);
      const outcomes: RecoveryOutcome[] = [];
      for (const listed of entries) {
        if (listed.pid !== process.pid && listed.host === hostName() && processAlive(listed.pid) && listed.step !== 'retire-pending') {
          // Another Latchkey process is in the middle of this rotation; it finishes it.
          continue;
        }
        outcomes.push(
          await journal.withLock(listed.ref, async () => {
            const entry = await journal.read(listed.ref);
            if (entry === undefined) return { ref: listed.ref, service: listed.service, outcome: 'finished' as const, message: `The rotation of ${listed.ref} was finished by another process.` };
            return settleSafely(entry, { retireEarly: options.now === true });
          }),
        );
      }
      return outcomes;
    },

    /**
     * The dry run of a secret's rotator ("Test"): reach the service, authenticate, confirm that the user
     * exists and may be changed — with the credential the stored value holds. Changes nothing.
     */
    async check(ref: string, context: SecretContext = {}, draft?: Pick<AttachedRotator, 'secret' | 'rotator'>): Promise<{ ref: string; service: string; steps: CheckStep[] }> {
      // A draft (rotators.draft) is tested as it would be attached; otherwise the attached rotator.
      const attached = draft ?? (await this.rotatorFor(ref, context));
      if (attached === undefined) throw notFound(`${ref} has no rotator: rotating it changes the stored copy only (latchkey rotators set attaches one).`);
      const { rotator, secret } = attached;
      const endpoint = await rotators.endpointOf(rotator);
      const driver = kinds.driver(rotator.kind);
      const backend = (await deps.viewEnvironment(secret.project, secret.environment)).backend;
      const read = await readCurrent(backend, parseRef(ref).path, ref);
      const current = credentialIn(read.value, rotator, driver, ref);
      const steps = await driver.check(targetOf(endpoint, rotator, { ref, project: secret.project, environment: secret.environment, incident: false })('check'), current);
      return { ref, service: endpoint.name, steps };
    },

    /** Journal entries (no values): interrupted rotations and pending retirements. */
    pending: () => journal.list(),
  };

  async function runLifecycle(endpoint: ServiceEndpoint, backend: SecretBackend, path: string, attached: AttachedRotator, options: RotateOptions & { connection?: string; incident: boolean }): Promise<RotationResult> {
    const { rotator, secret } = attached;
    const { ref } = secret;
    const driver = kinds.driver(rotator.kind);
    const target = targetOf(endpoint, rotator, { ref, project: secret.project, environment: secret.environment, reportId: options.reportId, incident: options.incident });
    const service = endpoint.name;
    const emit = (step: ServiceRotationStep['step'], at?: string) => {
      try {
        options.onStep?.({ ref, service, step, ...(at === undefined ? {} : { at }) });
      } catch (error) {
        log.warn('a rotation step listener failed', { error: describeError(error) });
      }
    };

    // create
    const description = await backend.describe(path);
    const stored = policyFromMetadata(description.metadata).policy;
    const policy = options.policy ?? (isGenerated(stored) ? stored : DEFAULT_POLICY);
    const read = await readCurrent(backend, path, ref, !backend.capabilities.versions);
    const current = credentialIn(read.value, rotator, driver, ref);
    const generate = deps.generate ?? generateValue;
    let secretValue = generate(policy);
    if (secretValue === current.secret) secretValue = generate(policy);
    if (secretValue === current.secret) throw new LatchkeyError('Internal', 'The generator returned the current value twice; check the rotation policy.');
    const user = nextUser(rotator, current);
    const proposed: Credential = { ...(user === undefined ? {} : { user }), secret: secretValue };
    const codec = codecFor(rotator.format);
    let staged = codec.write(read.value, proposed);
    await keepPrevious({ ...(deps.escrow === undefined ? {} : { escrow: deps.escrow }) }, backend, ref, read.value);
    let entry = await journal.begin(
      {
        ref,
        project: secret.project,
        environment: secret.environment,
        key: secret.key,
        ...(options.connection === undefined ? {} : { connection: options.connection }),
        service,
        rotator,
        // Journaled as `setting` before set starts: undo is safe to repeat, so recovery may take back a set that never ran.
        step: 'setting',
        incident: options.incident,
        ...(options.reportId === undefined ? {} : { report_id: options.reportId }),
        ...(read.version === undefined ? {} : { current_version: read.version }),
        ...(current.user === undefined ? {} : { old_user: current.user }),
        ...(proposed.user === undefined ? {} : { next_user: proposed.user }),
      },
      { staged, old: read.value },
    );
    emit('created');

    const abandon = async (error: unknown, step: 'set' | 'test' | 'store', next: Credential): Promise<RotationResult> => {
      const { kind, reason } = reasonOf(error);
      log.warn('rotation at service failed; undoing', { ref, service, step, error: describeError(error) });
      try {
        await driver.undo(target('rollback'), current, next);
      } catch (undoError) {
        const why = reasonOf(undoError).reason;
        log.error('undo at service failed', { ref, service, error: describeError(undoError) });
        return {
          ref,
          ok: false,
          state: 'unchanged',
          ...(read.version === undefined ? {} : { version: read.version, previousVersion: read.version }),
          changedAt: service,
          oldRetired: false,
          error: {
            kind,
            message:
              `Rotation of ${ref} failed at ${step === 'store' ? 'storing the new value' : step === 'set' ? `changing it at ${service}` : `testing the new credential at ${service}`} (${reason}), ` +
              `and the change at ${service} could not be undone (${why}). The store still holds the old value${read.version === undefined ? '' : ` (version ${read.version})`}; ${serviceState(rotator, service, current, next)}. ` +
              `When ${service} answers again, run "${finishCommand(ref)}": it tests the new credential and finishes the rotation, or puts the old one back.`,
          },
        };
      }
      await journal.remove(ref);
      emit('undone');
      const works = await oldWorks(driver, target, current);
      return {
        ref,
        ok: false,
        state: 'unchanged',
        ...(read.version === undefined ? {} : { version: read.version, previousVersion: read.version }),
        oldRetired: false,
        error: {
          kind,
          message:
            `Rotation of ${ref} failed at ${step === 'store' ? 'storing the new value' : step === 'set' ? `changing it at ${service}` : `testing the new credential at ${service}`}: ${reason}. ` +
            `The change at ${service} was undone and the old value is still current${works === true ? ' (it logs in)' : ''}.` +
            (works === false ? ` WARNING: ${service} refuses the old credential too; set a working value by hand.` : ''),
        },
      };
    };

    // set
    let next: Credential;
    try {
      next = await driver.set(target('set'), current, proposed);
    } catch (error) {
      if (isRefusal(error)) {
        // The service refused the change: nothing happened there, nothing to undo.
        await journal.remove(ref);
        return { ...failed(ref, service, error), ...(read.version === undefined ? {} : { version: read.version, previousVersion: read.version }) };
      }
      return abandon(error, 'set', proposed);
    }
    if (driver.makesCredential) {
      // The service made the credential: the journal learns it before anything else can fail.
      staged = codec.write(read.value, next);
      entry = await journal.advance(entry, { step: 'set', ...(next.user === undefined ? {} : { next_user: next.user }) }, staged);
    } else {
      entry = await journal.advance(entry, { step: 'set' });
    }
    emit('set');

    // test
    try {
      await driver.test(target('test'), next);
    } catch (error) {
      return abandon(error, 'test', next);
    }
    emit('tested');

    // finish: the store
    const settled = await writeNewValue(backend, path, read, staged, metadataFor(backend, description, options.policy, undefined));
    if (settled.state === 'unknown') {
      return {
        ref,
        ok: false,
        state: 'unknown',
        changedAt: service,
        oldRetired: false,
        error: {
          kind: reasonOf(settled.error).kind,
          message:
            `Rotation of ${ref}: the new credential works at ${service}, but storing it failed and the store could not be read afterwards (${reasonOf(settled.error).reason}). ` +
            `${serviceState(rotator, service, current, next)}. Run "${finishCommand(ref)}": it stores the new value (or finds it stored) and finishes.`,
        },
      };
    }
    if (settled.state !== 'changed') return abandon(settled.error, 'store', next);
    entry = await journal.advance(entry, { step: 'stored' });
    emit('stored');
    const version = settled.version;
    const done = { ref, ok: true, state: 'rotated' as const, ...(version === undefined ? {} : { version }), ...(read.version === undefined ? {} : { previousVersion: read.version }), changedAt: service };

    // finish: retire the old credential, at once or after the grace period
    const grace = options.incident ? 0 : rotator.graceSeconds;
    if (grace > 0) {
      const due = new Date(now().getTime() + grace * 1000).toISOString();
      await journal.advance(entry, { step: 'retire-pending', retire_after: due });
      emit('retire-scheduled', due);
      return { ...done, oldRetired: due };
    }
    try {
      const refused = await retireAndProve(driver, target, current, next, () => emit('retired'));
      await journal.remove(ref);
      if (refused === true) emit('old-refused');
      if (refused === false) {
        return { ...done, ok: false, oldRetired: false, oldRefused: false, error: { kind: 'Internal', message: `Rotation of ${ref}: the new value is current and works, but ${service} still accepts the old credential after it was retired. Retire it by hand at ${service}.` } };
      }
      return { ...done, oldRetired: true, ...(refused === undefined ? { warning: `The old credential was retired at ${service}, but trying it once more failed, so its refusal is not confirmed.` } : { oldRefused: true }) };
    } catch (error) {
      const due = now().toISOString();
      await journal.advance(entry, { step: 'retire-pending', retire_after: due });
      return {
        ...done,
        ok: false,
        oldRetired: false,
        error: { kind: reasonOf(error).kind, message: `Rotation of ${ref}: the new value is current and works at ${service}, but the old credential could not be retired there (${reasonOf(error).reason}), so it still works. Run "${finishCommand(ref)}" to retire it.` },
      };
    }
  }
}

export type ServiceRotation = ReturnType<typeof createServiceRotation>;

/** Errors by which a driver promises that the service changed nothing (see ServiceDriver.set). */
function isRefusal(error: unknown): boolean {
  return isLatchkeyError(error) && ['Unauthenticated', 'NotFound', 'PermissionDenied', 'InvalidInput'].includes(error.kind);
}

function withUser(credential: Credential, user: string | undefined): Credential {
  return credential.user !== undefined || user === undefined ? credential : { ...credential, user };
}

function failed(ref: string, service: string | undefined, error: unknown): RotationResult {
  const { kind, reason } = reasonOf(error);
  const at = service === undefined ? 'at the service' : `at ${service}`;
  return { ref, ok: false, state: 'unchanged', oldRetired: false, error: { kind, message: `Rotation of ${ref} failed: ${reason}. The current value and the credential ${at} were left in place.` } };
}

function hostName(): string {
  return hostname().slice(0, 255);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
