import type { DataKeyProvider } from '../crypto/data-key';
import { notFound } from '../errors';
import type { FileLocks } from '../fs/locks';
import type { PrivateTree } from '../fs/private-files';
import { createFileBackend, type EnvironmentLocator } from '../secrets/file-backend';
import { createBackendEscrow, type PreviousValueEscrow } from './escrow';

/**
 * The app's escrow: previous values of secrets whose backend keeps no versions (the OS keychain),
 * encrypted like the local store — same tree, same data key — in a directory of its own. It is not a
 * project: the escrow's <project>/<environment> maps to that directory only, so it never shows in the
 * projects list and no project can reach it.
 */
const ESCROW_PROJECT = 'latchkey';
const ESCROW_ENVIRONMENT = 'previous-values';
/** Environment directories are named env-<hex>; this name cannot collide with one. */
export const ESCROW_DIRECTORY = 'escrow';

export function createLocalEscrow(options: { tree: PrivateTree; locks: FileLocks; dataKey: DataKeyProvider; now?: () => Date }): PreviousValueEscrow {
  const only = async (project: string, environment: string) => {
    if (project === ESCROW_PROJECT && environment === ESCROW_ENVIRONMENT) return ESCROW_DIRECTORY;
    throw notFound('The escrow holds previous values only.');
  };
  const locator: EnvironmentLocator = {
    find: only,
    findOrCreate: only,
    all: async () => [{ id: ESCROW_DIRECTORY, project: ESCROW_PROJECT, environment: ESCROW_ENVIRONMENT }],
  };
  // One version per reference: the escrow keeps the value before the last rotation, not a history.
  const store = createFileBackend({ tree: options.tree, locks: options.locks, dataKey: options.dataKey, environments: locator, historyLimit: 1, ...(options.now === undefined ? {} : { now: options.now }) });
  return createBackendEscrow(store);
}
