// A second process appending to the same audit log (run by audit-log.test.ts through jiti).
import { createAuditLog } from '../../../electron/core/audit/audit-log';
import { FileLocks } from '../../../electron/core/fs/locks';

const [stateDir, countText, environment, anchorDir] = process.argv.slice(2);
if (stateDir === undefined || countText === undefined || environment === undefined) {
  process.stderr.write('usage: append-worker <stateDir> <count> <environment>\n');
  process.exit(2);
}
const audit = createAuditLog({ stateDir, ...(anchorDir === undefined ? {} : { anchorDir }), locks: new FileLocks(), user: 'worker' });
for (let index = 0; index < Number(countText); index += 1) {
  await audit.append({ action: 'secret.write', outcome: 'ok', environment, ref: `file://demo/${environment}/KEY_${index}` });
}
