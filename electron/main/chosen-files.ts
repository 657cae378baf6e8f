import { randomBytes } from 'node:crypto';
import { invalidInput } from '../core/errors';

/**
 * Files the person chose in a dialog, under opaque ids. The renderer refers to a chosen file by its id,
 * so it can never make main read a path of its own choosing; an id is good for the purpose it was
 * chosen for only, and only the most recent few are kept.
 */
const KEPT = 16;

export function createChosenFiles() {
  const chosen = new Map<string, { path: string; purpose: string }>();
  return {
    remember(path: string, purpose: string): string {
      const id = randomBytes(18).toString('base64url');
      chosen.set(id, { path, purpose });
      for (const old of [...chosen.keys()].slice(0, Math.max(0, chosen.size - KEPT))) chosen.delete(old);
      return id;
    },
    pathOf(id: string, purpose: string): string {
      const found = chosen.get(id);
      if (found === undefined || found.purpose !== purpose) throw invalidInput('That file is no longer chosen. Choose it again.');
      return found.path;
    },
  };
}

export type ChosenFiles = ReturnType<typeof createChosenFiles>;
