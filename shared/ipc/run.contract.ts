import { z } from 'zod';
import { call } from './entry';
import { environmentName, projectName } from './fields';

/** Running a program with an environment's secrets (`latchkey run`): what the app offers for it. */
export const runContract = {
  /**
   * Main puts `latchkey run --project P --env E -- ` on the clipboard (built from the validated names,
   * so a page cannot choose what a person will paste into a terminal) and answers the text it copied.
   */
  copyCommand: call(z.strictObject({ project: projectName, environment: environmentName }), z.object({ command: z.string().max(300) })),
};
