import { z } from 'zod';
import { call } from './entry';
import { colour, confirmed, empty, environmentName, projectName, timestamp } from './fields';

/** Where an environment's secrets live: the local store, or a prefix on a named connection. */
export const environmentBinding = z.discriminatedUnion('backend', [
  z.strictObject({ backend: z.literal('file') }),
  z.strictObject({ backend: z.literal('connection'), connection: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/), prefix: z.string().max(512) }),
]);

/** What the secrets view can offer on an environment's backend (known without asking it). */
export const environmentFeatures = z.object({
  versions: z.boolean(),
  softDelete: z.boolean(),
  metadata: z.boolean(),
  checkAndSet: z.boolean(),
  /** How the backend narrows a note, where it does ("kept as a label: lower case…"). */
  noteRule: z.string().optional(),
});

export const environmentView = z.object({
  name: environmentName,
  colour,
  protected: z.boolean(),
  /** Where its secrets live, for display ("Local encrypted store", "Vault" + "secret/data/app/staging/"). */
  backend: z.string(),
  location: z.string(),
  /** The connection it is bound to (absent for the local store). */
  connection: z.string().optional(),
  binding: environmentBinding,
  features: environmentFeatures,
});

export const projectView = z.object({
  name: projectName,
  createdAt: timestamp,
  environments: z.array(environmentView),
});

export const projectsContract = {
  list: call(empty, z.object({ projects: z.array(projectView) })),
  create: call(z.strictObject({ name: projectName }), empty),
  rename: call(z.strictObject({ name: projectName, newName: projectName }), empty),
  remove: call(z.strictObject({ name: projectName, confirmed }), empty),
};

export const environmentsContract = {
  create: call(
    z.strictObject({ project: projectName, name: environmentName, colour: colour.optional(), protected: z.boolean().optional(), binding: environmentBinding.optional(), confirmed }),
    empty,
  ),
  update: call(
    z.strictObject({
      project: projectName,
      name: environmentName,
      changes: z.strictObject({ name: environmentName.optional(), colour: colour.optional(), protected: z.boolean().optional(), binding: environmentBinding.optional() }),
      confirmed,
    }),
    empty,
  ),
  remove: call(z.strictObject({ project: projectName, name: environmentName, confirmed }), empty),
};

export type ProjectView = z.infer<typeof projectView>;
export type EnvironmentView = z.infer<typeof environmentView>;
export type EnvironmentBindingView = z.infer<typeof environmentBinding>;
export type EnvironmentFeatures = z.infer<typeof environmentFeatures>;
