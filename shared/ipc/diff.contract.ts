import { z } from 'zod';
import { publicErrorSchema } from '../errors';
import { call } from './entry';
import { environmentName, operationId, projectName, secretKey } from './fields';

/**
 * Environments of a project side by side. Values are compared in main by keyed fingerprint; what comes
 * back is only which keys exist where and which values are equal (a group number per row).
 */
const cell = z.discriminatedUnion('state', [
  z.object({ state: z.literal('missing') }),
  /** Could not be read (a damaged file, a refused request): why, for people. */
  z.object({ state: z.literal('unreadable'), message: z.string().max(1000).optional() }),
  z.object({ state: z.literal('value'), group: z.number().int().nonnegative() }),
]);

export const diffContract = {
  compare: call(
    z.strictObject({ project: projectName, environments: z.array(environmentName).min(2).max(6), operationId: operationId.optional() }),
    z.object({ environments: z.array(z.object({ project: projectName, name: environmentName })), rows: z.array(z.object({ key: secretKey, cells: z.array(cell) })) }),
  ),
  /** Copies the chosen keys; a different existing value is replaced only with overwrite. A protected target needs its name typed. */
  copy: call(
    z.strictObject({
      project: projectName,
      from: environmentName,
      to: environmentName,
      keys: z.array(secretKey).min(1).max(1000),
      overwrite: z.boolean().optional(),
      typedNames: z.array(environmentName).max(1),
    }),
    z.object({
      results: z.array(
        z.object({ key: secretKey, ok: z.boolean(), action: z.enum(['created', 'updated', 'unchanged', 'skipped', 'failed']), version: z.string().max(200).optional(), error: publicErrorSchema.optional() }),
      ),
    }),
  ),
};

export type ComparisonCell = z.infer<typeof cell>;
