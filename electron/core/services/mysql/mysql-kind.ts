import type { ServiceKindDefinition } from '../driver';
import { lazyDriver } from '../lazy-driver';
import { describeMysql, mysqlSettingsFromUrl, mysqlSettingsSchema, type MysqlSettings } from './mysql-settings';

/** The mysql kind in the services registry: `printf %s "mysql://admin:pw@host:3306/" | latchkey services add NAME --kind mysql --url-stdin`. */
export const mysqlServiceKind: ServiceKindDefinition<MysqlSettings> = {
  kind: 'mysql',
  settingsSchema: mysqlSettingsSchema,
  fromUrl: mysqlSettingsFromUrl,
  describe: describeMysql,
  createDriver: (deps) =>
    lazyDriver({ kind: 'mysql', strategies: ['single', 'alternating', 'dual'], selfMode: true, makesCredential: false, discardsUnrecorded: false }, async () => (await import('./mysql-driver')).createMysqlDriver(deps)),
};
