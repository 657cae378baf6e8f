import type { Redis } from 'ioredis';
import type { Keychain } from '../keychain';
import type { Logger } from '../log';
import { openSessionRedis, type SessionServerConfig } from './connection';
import { SessionKeys } from './keys';

/**
 * "Test connection": connect with the settings (TLS, ACL user, password, Sentinel, Cluster), and say
 * what answered — the server version, how many master nodes and keys — or the typed error a person
 * can act on (not reachable, refused password, untrusted certificate…). Always a fresh connection,
 * closed afterwards, so a test never disturbs the stores in use.
 */
export interface ServerTestResult {
  target: string;
  mode: SessionServerConfig['mode'];
  serverVersion?: string;
  masters: number;
  /** Keys in the databases (DBSIZE summed over masters): not only sessions. */
  keys: number;
  /** Sessions under the prefix in a first SCAN batch: a hint that the prefix is right. */
  sampleSessions: number;
}

export async function testSessionServer(
  config: SessionServerConfig,
  deps: { logger: Logger; keychain?: Keychain; password?: string; sentinelPassword?: string },
): Promise<ServerTestResult> {
  const keys = new SessionKeys(config.prefix);
  const redis = await openSessionRedis(config, deps);
  try {
    await redis.ready();
    let masters: Redis[];
    try {
      masters = await redis.masters();
      const sizes = await Promise.all(masters.map((node) => node.dbsize()));
      const info = await masters[0]!.info('server');
      const [, sample] = await masters[0]!.scan('0', 'MATCH', keys.scanPattern(), 'COUNT', '1000');
      const version = /^redis_version:(\S+)/m.exec(info)?.[1];
      return {
        target: redis.target,
        mode: config.mode,
        ...(version === undefined ? {} : { serverVersion: version.slice(0, 32) }),
        masters: masters.length,
        keys: sizes.reduce((sum, size) => sum + size, 0),
        sampleSessions: sample.filter((key) => keys.idOf(key) !== undefined).length,
      };
    } catch (error) {
      throw redis.failure(error);
    }
  } finally {
    await redis.close();
  }
}
