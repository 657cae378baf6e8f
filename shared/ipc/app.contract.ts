import { z } from 'zod';
import { call } from './entry';
import { empty } from './fields';

export const appContract = {
  /** Version and where Latchkey keeps its files (shown in Settings). */
  info: call(
    empty,
    z.object({
      version: z.string(),
      platform: z.string(),
      stateDir: z.string(),
      configDir: z.string(),
    }),
  ),
};
