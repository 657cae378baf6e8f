import { z } from 'zod';
import { publicErrorSchema } from '../errors';
import { call } from './entry';
import { environmentName, fileId, projectName, secretKey } from './fields';

/**
 * .env files and Mycelium secrets files in and out of an environment. Paths are chosen in main (a
 * file dialog); the renderer gets an opaque id for a chosen file, never reads one, and never names an
 * arbitrary path for main to read.
 */
const where = { project: projectName, environment: environmentName };
const typedNames = z.array(environmentName).max(1);
const preview = z.object({
  added: z.array(secretKey),
  changed: z.array(secretKey),
  unchanged: z.array(secretKey),
  /** Names in the file that cannot be secret keys (shown, not imported). */
  invalid: z.array(z.object({ key: z.string().max(300), reason: z.string().max(300) })),
  /** Names set more than once, with their line numbers; the last one is imported. */
  duplicates: z.array(z.object({ key: z.string().max(300), lines: z.array(z.number().int().positive()) })),
  /** Lines that are not assignments (by number; a line's content is never sent, it may hold a value). */
  ignored: z.array(z.object({ line: z.number().int().positive(), reason: z.string().max(300) })),
});
const snapshotId = z.string().regex(/^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$/);
const written = z.object({ key: z.string().max(300), ok: z.boolean(), action: z.enum(['created', 'updated', 'unchanged', 'skipped', 'failed']), version: z.string().max(200).optional(), error: publicErrorSchema.optional(), note: z.string().max(500).optional() });

export const envfilesContract = {
  /** Asks where to save, then main writes the file (0600, with the do-not-commit header). */
  exportDotenv: call(z.strictObject(where), z.object({ cancelled: z.boolean(), path: z.string().optional(), count: z.number().int().optional() })),
  /** Asks for a file to import (Mycelium: starting at $XDG_STATE_HOME/mycelium/secrets/<project>.json). */
  chooseFile: call(
    z.strictObject({ purpose: z.enum(['dotenv', 'mycelium']), project: projectName }),
    z.object({ cancelled: z.boolean(), fileId: fileId.optional(), path: z.string().optional() }),
  ),
  /** What the chosen .env file would add or change, by name only. */
  previewImport: call(z.strictObject({ ...where, fileId }), preview),
  /**
   * `keys`: only these of the added and changed names (the ones left ticked); all of them when absent.
   * snapshot_id: the snapshot taken just before, from which the import's keys are restored to undo it.
   */
  applyImport: call(
    z.strictObject({ ...where, fileId, typedNames, keys: z.array(secretKey).max(10_000).optional() }),
    z.object({ preview, results: z.array(written), snapshot_id: snapshotId.optional() }),
  ),
  /** force: import a file others can read anyway (the refusal says why); overwrite: replace values that differ. */
  importMycelium: call(
    z.strictObject({ ...where, fileId, force: z.boolean().optional(), overwrite: z.boolean().optional(), typedNames }),
    z.object({ projectName: z.string().max(300), results: z.array(written), snapshot_id: snapshotId.optional() }),
  ),
};

export type DotenvPreview = z.infer<typeof preview>;
