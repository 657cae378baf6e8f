import { z } from 'zod';
import { call } from './entry';
import { colour, confirmed, empty, environmentName, projectName, timestamp } from './fields';

export const environmentView = z.object({
  name: environmentName,
  colour,
  protected: z.boolean(),
  /** Where its secrets live, for display ("Local encrypted store", "Vault · secret/app"). */
  backend: z.string(),
  location: z.string(),
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
    z.strictObject({ project: projectName, name: environmentName, colour: colour.optional(), protected: z.boolean().optional() }),
    empty,
  ),
  update: call(
    z.strictObject({
      project: projectName,
      name: environmentName,
      changes: z.strictObject({ name: environmentName.optional(), colour: colour.optional(), protected: z.boolean().optional() }),
      confirmed,
    }),
    empty,
  ),
  remove: call(z.strictObject({ project: projectName, name: environmentName, confirmed }), empty),
};

export type ProjectView = z.infer<typeof projectView>;
export type EnvironmentView = z.infer<typeof environmentView>;
