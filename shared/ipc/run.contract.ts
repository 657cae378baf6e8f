import { z } from 'zod';
import { call } from './entry';
import { environmentName, projectName, timestamp } from './fields';

/** Running a program with an environment's secrets (`latchkey run`): what the app offers for it. */
export const runContract = {
  /**
   * Main puts `latchkey run --project P --env E -- ` on the clipboard (built from the validated names,
   * so a page cannot choose what a person will paste into a terminal) and answers the text it copied.
   */
  copyCommand: call(z.strictObject({ project: projectName, environment: environmentName }), z.object({ command: z.string().max(300) })),
  /** Programs `latchkey run --watch` keeps running with this environment's secrets, and which keys each uses (names only). */
  watched: call(
    z.strictObject({ project: projectName, environment: environmentName }),
    z.object({ runs: z.array(z.object({ pid: z.number().int(), command: z.string().max(200), keys: z.array(z.string().max(200)).max(20_000), startedAt: timestamp })).max(1000) }),
  ),
};
