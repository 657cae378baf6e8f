import { z } from 'zod';
import { call } from './entry';
import { confirmed, empty, environmentName, fileId, projectName, secretKey } from './fields';
import { checkStep, rotationStrategies, serviceKinds, serviceName } from './services.contract';

/**
 * Rotators: how one secret's credential is changed where it is checked — at a registered service, or by
 * a command hook. The hook's executable is chosen by the person in main's file dialog (`chooseCommand`)
 * and named here only by the id main gave it: the page can never make Latchkey run a program of its own
 * choosing.
 */
const where = { project: projectName, environment: environmentName, key: secretKey };
const userName = z.string().min(1).max(128).regex(/^[^\s\p{Cc}]+$/u, 'must have no spaces or control characters');

export const valueFormats = ['password', 'url', 'json'] as const;

/** Where the credential is changed: a service by name, or a command (fileId absent: keep the command attached now). */
const rotatorTarget = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('service'), service: serviceName }),
  z.strictObject({ type: z.literal('command'), fileId: fileId.optional() }),
]);

/** A rotator as the policy dialog's form fills it in. */
export const rotatorDraft = z.strictObject({
  target: rotatorTarget,
  /** Postgres role, Redis ACL user, MySQL user, IAM user name. */
  user: userName.optional(),
  /** Alternating users: the second one. */
  userB: userName.optional(),
  strategy: z.enum(rotationStrategies).optional(),
  self: z.boolean().optional(),
  graceSeconds: z.number().int().min(0).max(30 * 24 * 3600).optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  /** How the value holds the credential; absent: detected from the stored value. */
  format: z.enum(valueFormats).optional(),
});

export const rotatorView = z.object({
  kind: z.enum(serviceKinds),
  service: serviceName.optional(),
  /** command rotators: the executable's absolute path. */
  command: z.string().max(4096).optional(),
  /** Where it changes the credential, for people (`postgres pg-prod (127.0.0.1:5432/postgres as admin)`). */
  where: z.string().max(1000),
  format: z.enum(valueFormats),
  strategy: z.enum(rotationStrategies),
  user: z.string().max(128).optional(),
  userB: z.string().max(128).optional(),
  self: z.boolean(),
  graceSeconds: z.number().int(),
  timeoutSeconds: z.number().int().optional(),
});

export const rotatorsContract = {
  /** The rotator of a secret, or null: rotating it changes the stored copy only. */
  show: call(z.strictObject(where), z.object({ rotator: rotatorView.nullable() })),
  /** The rotators of a project's secrets (the secrets list shows which rotate at a service). */
  list: call(
    z.strictObject({ project: projectName }),
    z.object({ rotators: z.array(z.object({ environment: environmentName, key: secretKey, kind: z.enum(serviceKinds), name: z.string().max(200), where: z.string().max(1000) })) }),
  ),
  /** Attaches (or replaces) the rotator; a protected environment asks for confirmation. */
  set: call(z.strictObject({ ...where, rotator: rotatorDraft, confirmed }), z.object({ rotator: rotatorView })),
  /** Detaches it: rotations then change the stored copy only. */
  remove: call(z.strictObject({ ...where, confirmed }), empty),
  /**
   * Dry run with the stored credential: reach the service, log in, confirm the right to change it.
   * Changes nothing. With `draft`, the form's rotator is tested as it would be attached (nothing saved).
   */
  test: call(z.strictObject({ ...where, draft: rotatorDraft.optional() }), z.object({ service: z.string().max(200), steps: z.array(checkStep) })),
  /** The person chooses the hook's executable in the OS dialog; the answer names it by an id for `set`. */
  chooseCommand: call(empty, z.object({ cancelled: z.boolean(), fileId: fileId.optional(), path: z.string().max(4096).optional() })),
};

export type RotatorView = z.infer<typeof rotatorView>;
export type RotatorDraft = z.infer<typeof rotatorDraft>;
