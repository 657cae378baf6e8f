/**
 * The process the crash-safety test kills: the real core writing secrets of `file://crash/dev/` in a
 * loop, as fast as it can, announcing each write before it starts ("B <n> <key> <value>") and after it
 * is durable ("E <n>"). Run as a bundle (test/harness/node-bundle.ts) with the XDG variables of a
 * temporary tree; arguments: <first write number> <comma-separated keys> [<writes>].
 */
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { createCore } from '../../electron/core';
import { createKeytarKeychain } from '../../electron/core/keychain';
import { createLogger } from '../../electron/core/log';
import { resolvePaths } from '../../electron/core/paths';

const [first = '0', keyList = 'K0', limit = '1000000'] = process.argv.slice(2);
const keys = keyList.split(',');
const say = (line: string) => writeSync(1, `${line}\n`);

async function main() {
  const core = createCore({
    paths: resolvePaths(process.env),
    keychain: createKeytarKeychain(),
    logger: createLogger({ sink: (line) => writeSync(2, `${line}\n`) }),
  });
  // Load the store's key (and create the environment) before announcing readiness: the test kills only
  // after this, so that its kills land in the writes it is testing.
  await core.refs.set(`file://crash/dev/READY_${process.pid}`, 'ready');
  await core.refs.remove(`file://crash/dev/READY_${process.pid}`);
  say('READY');
  for (let n = Number(first); n < Number(first) + Number(limit); n += 1) {
    const key = keys[n % keys.length]!;
    const value = `v${n}-${randomBytes(4).toString('hex')}`;
    say(`B ${n} ${key} ${value}`);
    await core.refs.set(`file://crash/dev/${key}`, value);
    say(`E ${n}`);
  }
  say('DONE');
}

main().catch((error: unknown) => {
  say(`FAILED ${(error as { kind?: string }).kind ?? 'Internal'} ${(error as Error).message}`);
  process.exitCode = 1;
});
