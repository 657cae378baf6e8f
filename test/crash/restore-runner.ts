/**
 * The process the restore crash test kills: the real core restoring `crash/dev` to a snapshot (every key
 * created since deleted), announcing "READY" once the store's key is loaded, "P <done> <key> <outcome>"
 * as each key finishes, and "DONE <result json>" at the end. Run as a bundle (test/harness/node-bundle.ts)
 * with the XDG variables of a temporary tree; argument: <snapshot id>.
 */
import { writeSync } from 'node:fs';
import { createCore } from '../../electron/core';
import { createKeytarKeychain } from '../../electron/core/keychain';
import { createLogger } from '../../electron/core/log';
import { resolvePaths } from '../../electron/core/paths';

const [snapshot = ''] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);

async function main() {
  const core = createCore({
    paths: resolvePaths(process.env),
    keychain: createKeytarKeychain(),
    logger: createLogger({ sink: (line) => writeSync(2, `${line}\n`) }),
  });
  // Load the store's key before announcing readiness, so that kills land in the restore itself.
  await core.secrets.list('crash', 'dev');
  say('READY');
  const result = await core.snapshots.restore(
    'crash',
    'dev',
    { snapshot },
    {
      delete: 'all-new',
      confirmation: { assumeYes: true },
      onProgress: (progress) => {
        if (progress.key !== undefined) say(`P ${progress.done} ${progress.key} ${progress.outcome ?? ''}`);
      },
    },
  );
  say(`DONE ${JSON.stringify({ status: result.status, resumed: result.resumed, before: result.before_snapshot_id, changed: result.changed.length, recreated: result.recreated.length, deleted: result.deleted.length, unchanged: result.unchanged.length, failed: result.failed })}`);
  await core.close();
}

main().catch((error: unknown) => {
  say(`FAILED ${(error as { kind?: string }).kind ?? 'Internal'} ${(error as Error).message}`);
  process.exitCode = 1;
});
