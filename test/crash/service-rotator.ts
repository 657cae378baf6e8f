/**
 * The process the service-rotation crash test kills: the real core rotating one secret of an environment
 * at a real Postgres. At the point named in its arguments it announces "AT <point>" and waits, so the
 * test can SIGKILL it exactly there: before-set, after-set, after-test, after-store, after-retire.
 * Run as a bundle (test/harness/node-bundle.ts) with the XDG variables of a temporary tree; arguments:
 * <project> <environment> <key> <point>.
 */
import { writeSync } from 'node:fs';
import { createCore } from '../../electron/core';
import { createKeytarKeychain } from '../../electron/core/keychain';
import { createLogger } from '../../electron/core/log';
import { resolvePaths } from '../../electron/core/paths';
import { parseRef } from '../../electron/core/secrets/reference';

const [project = 'shop', environment = 'prod', key = 'POSTGRES_PASSWORD', point = 'none'] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);

async function hold(at: string): Promise<void> {
  if (at !== point) return;
  say(`AT ${at}`);
  // Keeps the process alive until it is killed.
  setInterval(() => undefined, 60_000);
  await new Promise(() => undefined);
}

async function main() {
  const core = createCore({ paths: resolvePaths(process.env), keychain: createKeytarKeychain(), logger: createLogger({ sink: (line) => writeSync(2, `${line}\n`) }) });
  const driver = core.services.kinds.driver('postgres');
  const { set, test, retire } = driver;
  driver.set = async (...args) => {
    await hold('before-set');
    const next = await set.apply(driver, args);
    await hold('after-set');
    return next;
  };
  driver.test = async (...args) => {
    await test.apply(driver, args);
    await hold('after-test');
  };
  driver.retire = async (...args) => {
    await retire.apply(driver, args);
    await hold('after-retire');
  };
  const ref = `file://${project}/${environment}/${key}`;
  const store = await core.backends.resolve(parseRef(ref));
  const write = store.set;
  store.set = async (...args) => {
    const written = await write.apply(store, args);
    if (args[0] === parseRef(ref).path) await hold('after-store');
    return written;
  };
  const result = await core.rotation.rotate(project, environment, key, { confirmed: true });
  say(`DONE ${JSON.stringify(result)}`);
  await core.close();
}

main().catch((error: unknown) => {
  say(`FAILED ${(error as { kind?: string }).kind ?? 'Internal'} ${(error as Error).message}`);
  process.exitCode = 1;
});
