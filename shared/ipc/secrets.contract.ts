import { z } from 'zod';
import { call } from './entry';
import { confirmed, empty, environmentName, note, operationId, projectName, secretKey, secretValue, timestamp } from './fields';

const where = { project: projectName, environment: environmentName };
const version = z.string().max(128);

export const secretItem = z.object({
  key: secretKey,
  note: z.string(),
  createdAt: timestamp.optional(),
  updatedAt: timestamp.optional(),
  version: version.optional(),
  /** The secret exists but cannot be read (a damaged file): what to do. Its other fields are unknown. */
  damaged: z.string().max(1000).optional(),
});

export const secretVersion = z.object({
  version,
  createdAt: timestamp.optional(),
  state: z.enum(['enabled', 'disabled', 'destroyed', 'deleted']),
  current: z.boolean(),
  /** Backend labels (AWSCURRENT, AWSPREVIOUS…). */
  stages: z.array(z.string().max(256)).max(20).optional(),
});

export const secretsContract = {
  /**
   * Names, notes and times of an environment's secrets — never values. With an operationId, a long
   * listing reports `operation.progress` and can be cancelled.
   */
  list: call(z.strictObject({ ...where, query: z.string().max(200).optional(), operationId: operationId.optional() }), z.object({ items: z.array(secretItem) })),
  /** The one call that sends a value to the renderer; the UI hides it again after a timeout. */
  reveal: call(z.strictObject({ ...where, key: secretKey }), z.object({ value: secretValue, version: version.optional() })),
  /** Main writes the value to the clipboard and clears it later; the value never reaches the renderer. */
  copy: call(z.strictObject({ ...where, key: secretKey }), z.object({ clearAfterSeconds: z.number().int().positive() })),
  create: call(z.strictObject({ ...where, key: secretKey, value: secretValue, note: note.optional(), confirmed }), z.object({ version: version.optional() })),
  update: call(
    z.strictObject({ ...where, key: secretKey, value: secretValue.optional(), note: note.optional(), confirmed }),
    z.object({ version: version.optional() }),
  ),
  remove: call(z.strictObject({ ...where, key: secretKey, confirmed }), empty),
  history: call(z.strictObject({ ...where, key: secretKey }), z.object({ versions: z.array(secretVersion) })),
};

export type SecretItem = z.infer<typeof secretItem>;
export type SecretVersion = z.infer<typeof secretVersion>;
