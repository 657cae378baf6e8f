import type { z } from 'zod';
import type { PublicError } from '../../../shared/errors';
import type { Logger } from '../log';

/**
 * A *service* is where a credential is checked (a Postgres server, a Redis server or Cluster, MySQL,
 * AWS IAM, or a command hook); a *rotator* ties one secret to one service. A driver changes the
 * credential at its service, one step of the four-step lifecycle at a time (create → set → test →
 * finish); the lifecycle (electron/core/services/lifecycle) owns the order, the journal and the store.
 *
 * Rules every driver keeps:
 * - A credential's secret never appears in an error message, a log field, a process argument, a URL or
 *   (where the service allows it) the service's own statement log: send a verifier or hash instead of
 *   the plaintext wherever the service takes one.
 * - Errors are LatchkeyErrors with a kind and a message naming the service (never a credential):
 *   Unauthenticated (the admin credential was refused), NotFound (no such role/user), PermissionDenied
 *   (no right to change it), BackendUnavailable (unreachable, timed out), InvalidInput.
 * - `set`, `retire` and `undo` may be called again after a crash in the middle of an earlier call with
 *   the same arguments; they must be safe to repeat (idempotent).
 *
 * This interface changes only additively; a change says so in its commit message.
 */
export const serviceKinds = ['postgres', 'mysql', 'redis', 'aws-iam', 'command'] as const;
export type ServiceKind = (typeof serviceKinds)[number];

/**
 * single       one credential, changed in place (the old one stops working at `set`).
 * alternating  two users (e.g. app and app_b): `set` changes the one not in use and the secret flips to it.
 * dual         the service keeps two valid passwords/keys for one user (Redis ACL, MySQL 8 RETAIN
 *              CURRENT PASSWORD, IAM's two access keys) until `retire` drops the old one.
 */
export const rotationStrategies = ['single', 'alternating', 'dual'] as const;
export type RotationStrategy = (typeof rotationStrategies)[number];

/** A credential as the service sees it. aws-iam: `user` is the access key id, `secret` its secret key. */
export interface Credential {
  user?: string;
  secret: string;
}

/** A registered service, opened: its settings from config and its admin credential from the keychain. */
export interface ServiceEndpoint<S = unknown> {
  /** The name in the services registry (`pg-prod`); for a command rotator, `command:<file name>`. */
  name: string;
  kind: ServiceKind;
  /** Parsed with the kind's `settingsSchema`; holds no secret. */
  settings: S;
  /** From the OS keychain (service `latchkey-services`); absent where the service has none (self mode, command). */
  admin?: Credential;
}

/** How one secret rotates at its service (the rotator attachment, as stored in config). */
export interface RotatorSettings {
  strategy: RotationStrategy;
  /** Postgres role, Redis ACL user, MySQL user, IAM user name. */
  user?: string;
  /** alternating: the second user (`--role-b`). */
  userB?: string;
  /** The credential changes itself, authenticating with its current value (no admin credential). */
  self: boolean;
  /** Seconds the old credential stays valid after finish (0: retired at once; always 0 in an incident). */
  graceSeconds: number;
  /** Upper bound for one step at the service (command rotators: the hook's run time). */
  timeoutSeconds?: number;
  /** command rotators: absolute path of the executable. */
  command?: string;
}

/** Which step of the lifecycle calls the driver; command hooks receive it as `phase`. */
export type RotationPhase = 'check' | 'set' | 'test' | 'finish' | 'rollback' | 'verify';

export interface RotationContext {
  ref: string;
  project?: string;
  environment?: string;
  phase: RotationPhase;
  /** Part of an incident: the old credential is compromised and retired without grace. */
  incident: boolean;
  reportId?: string;
}

export interface RotationTarget<S = unknown> {
  service: ServiceEndpoint<S>;
  rotator: RotatorSettings;
  context: RotationContext;
  /** Aborts a step that runs too long (the lifecycle's timeout); drivers pass it on where they can. */
  signal?: AbortSignal;
}

/** One line of a dry run ("Test" in the app, `latchkey rotators test`). Plain data, ready for IPC. */
export interface CheckStep {
  /** e.g. "reachable", "authenticated", "exists", "can change". */
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  /** What was checked, for people, without any credential. */
  detail: string;
  error?: PublicError;
}

export interface ServiceDriver<S = unknown> {
  kind: ServiceKind;
  /** Strategies this driver supports; the first is the default. */
  strategies: readonly RotationStrategy[];
  /** Whether a credential may change itself (`--self`). */
  selfMode: boolean;
  /** True where the service makes the new credential itself (IAM access keys) and `set` ignores `proposed`. */
  makesCredential: boolean;

  /**
   * Dry run: reach the service, authenticate (admin, or `current` in self mode), confirm that the user
   * exists and that the right to change it is there. Changes nothing. Never throws for a failed step:
   * the step says failed, with a typed error; later steps are skipped. `current` is absent when a
   * service is tested on its own (`services test`, no rotator, `target.rotator.user` unset): then only
   * reach it and authenticate with the admin credential (or, without one, reach it).
   */
  check(target: RotationTarget<S>, current?: Credential): Promise<CheckStep[]>;

  /**
   * Makes a new credential valid at the service. `proposed` is Latchkey's generated value where the
   * service takes one (passwords; for alternating, `proposed.user` is the user not in use), ignored
   * where the service makes it (IAM). Returns the credential now valid. Under `dual` the old one stays
   * valid; under `single` it stops working here.
   *
   * A refusal — Unauthenticated, NotFound, PermissionDenied, InvalidInput — promises that the service
   * changed nothing (a driver that changed some nodes first puts them back before refusing). Any other
   * error means the change may have happened in part; the lifecycle then calls `undo`.
   */
  set(target: RotationTarget<S>, current: Credential, proposed: Credential): Promise<Credential>;

  /** Logs in with `next` and runs a harmless check (SELECT 1, PING, GetCallerIdentity). */
  test(target: RotationTarget<S>, next: Credential): Promise<void>;

  /**
   * Retires `old` once `next` is current: removes the old password (Redis `!<hash>`), disables the old
   * user (alternating), deactivates then deletes the old key (IAM). A no-op where `set` already did it
   * (single). Safe to repeat.
   */
  retire(target: RotationTarget<S>, old: Credential, next: Credential): Promise<void>;

  /**
   * Undoes `set` where possible, leaving `current` the only valid credential: puts the old password
   * back (single), removes the new one (dual), deletes the new key (IAM). Safe to call after a `set`
   * that failed part-way or never happened. Throws when it cannot; the lifecycle then reports exactly
   * what state the service and the store are in.
   */
  undo(target: RotationTarget<S>, current: Credential, next: Credential): Promise<void>;

  /**
   * After retire: true when the service refuses `old` (a login with it fails as unauthenticated);
   * false when it still accepts it. Throws when it cannot tell (service unreachable).
   */
  refuses(target: RotationTarget<S>, old: Credential): Promise<boolean>;

  /**
   * Only where the service makes the credential (`makesCredential`): after a crash inside `set` whose
   * result never reached the journal, remove what `set` may have created so that `current` is the only
   * credential again (IAM: list the user's keys, delete those that are not `current`).
   */
  discardUnrecorded?(target: RotationTarget<S>, current: Credential): Promise<void>;
}

/** What a driver may use besides its target. */
export interface DriverDeps {
  logger: Logger;
  /**
   * A saved secret-backend connection by name: its settings and its credentials from the keychain
   * (aws-iam services authenticate with a saved AWS connection).
   */
  connection?(name: string): Promise<{ settings: unknown; credentials?: unknown }>;
}

/**
 * One kind of service, as the registry knows it: how its settings are validated and shown, how an
 * admin URL splits into settings and credential, and its driver. Each kind registers one of these in
 * electron/core/services/service-kinds.ts.
 */
export interface ServiceKindDefinition<S = unknown> {
  kind: ServiceKind;
  /** The settings kept in config (addresses, TLS, user names); never a secret. */
  settingsSchema: z.ZodType<S>;
  /**
   * `services add NAME --kind K --url-stdin`: splits an admin URL (read from stdin only) into settings
   * and the admin credential (which goes to the keychain). Absent where the kind takes no URL.
   */
  fromUrl?(url: URL): { settings: S; admin?: Credential };
  /** Where it points, for lists and messages (`postgres 127.0.0.1:5432/postgres as admin`); never a credential. */
  describe(settings: S): string;
  createDriver(deps: DriverDeps): ServiceDriver<S>;
}
