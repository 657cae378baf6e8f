import { z } from 'zod';
import { DEFAULT_IDLE_MINUTES, MAX_IDLE_MINUTES, MIN_IDLE_MINUTES } from '../../../shared/lock';
import { invalidInput, LatchkeyError } from '../errors';
import type { FileLocks } from '../fs/locks';
import type { PrivateTree } from '../fs/private-files';

/**
 * `$XDG_CONFIG_HOME/latchkey/lock.json`: after how many idle minutes the app locks itself. A file of its
 * own, so the projects configuration keeps its strict schema.
 */
const FILE = 'lock.json';
const settingsSchema = z.strictObject({
  version: z.literal(1),
  idleTimeoutMinutes: z.number().int().min(MIN_IDLE_MINUTES).max(MAX_IDLE_MINUTES),
});
export type LockSettings = z.infer<typeof settingsSchema>;

export interface LockSettingsFile {
  read(): Promise<LockSettings>;
  setIdleTimeout(minutes: number): Promise<LockSettings>;
}

export function createLockSettingsFile(deps: { tree: PrivateTree; locks: FileLocks }): LockSettingsFile {
  const { tree, locks } = deps;
  const read = async (): Promise<LockSettings> => {
    if (!(await tree.exists(FILE))) return { version: 1, idleTimeoutMinutes: DEFAULT_IDLE_MINUTES };
    let json: unknown;
    try {
      json = JSON.parse((await tree.read([FILE])).toString('utf8'));
    } catch (error) {
      if (error instanceof LatchkeyError) throw error;
      json = undefined;
    }
    const parsed = settingsSchema.safeParse(json);
    if (!parsed.success) {
      throw invalidInput(
        `${tree.resolve(FILE)} is not a valid lock setting (expected {"version": 1, "idleTimeoutMinutes": ${MIN_IDLE_MINUTES}–${MAX_IDLE_MINUTES}}). Fix it or delete it to use ${DEFAULT_IDLE_MINUTES} minutes.`,
      );
    }
    return parsed.data;
  };
  return {
    read,
    async setIdleTimeout(minutes) {
      const settings = settingsSchema.safeParse({ version: 1, idleTimeoutMinutes: minutes });
      if (!settings.success) throw invalidInput(`The idle timeout is a whole number of minutes from ${MIN_IDLE_MINUTES} to ${MAX_IDLE_MINUTES}.`);
      await tree.ensureDir();
      await locks.withLock(tree.resolve(FILE), () => tree.write([FILE], `${JSON.stringify(settings.data, null, 2)}\n`));
      return settings.data;
    },
  };
}
