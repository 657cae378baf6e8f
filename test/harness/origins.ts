import { join } from 'node:path';
import { createDataKeyProvider } from '../../electron/core/crypto/data-key';
import { FileLocks } from '../../electron/core/fs/locks';
import { PrivateTree } from '../../electron/core/fs/private-files';
import { createOriginRecords, type OriginRecords } from '../../electron/core/rotation/origin-records';
import { createMemoryKeychain } from '../doubles/memory-keychain';

/** One in-memory keychain per state folder, as one OS keychain serves one store. */
const keychains = new Map<string, ReturnType<typeof createMemoryKeychain>>();

/**
 * The real origin records (which values Latchkey generated) in a test's state folder, keyed by a real
 * store data key kept in an in-memory keychain: for suites that drive rotation over backend doubles.
 */
export function createTestOrigins(stateDir: string): OriginRecords {
  const locks = new FileLocks();
  const keychain = keychains.get(stateDir) ?? createMemoryKeychain();
  keychains.set(stateDir, keychain);
  const dataKey = createDataKeyProvider({ keychain, tree: new PrivateTree(join(stateDir, 'store'), { ownedFrom: stateDir }), locks });
  return createOriginRecords({ stateDir, locks, dataKey });
}
