import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { KEYCHAIN_SERVICE } from '../../../electron/core/crypto/data-key';
import { isOwnKeychainService, ownKeychainService, USER_SECRETS_SERVICE } from '../../../electron/core/keychain-namespace';
import { KeychainBackend } from '../../../electron/core/secrets/backends/keychain-backend';
import { CONNECTION_CREDENTIALS_SERVICE } from '../../../electron/core/secrets/connections/connection-credentials';
import { REDIS_PASSWORD_SERVICE } from '../../../electron/core/sessions/connection';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey, type CliRun } from '../cli/run-cli';

// Issue 15, item 3: a Redis password saved for a session server was readable (secrets get), listable
// (secrets ls) and writable (secrets set) as keychain://latchkey-redis/<account>. Every keychain service
// of Latchkey's own — `latchkey` and `latchkey-*`, now and later — is refused through the keychain
// backend by one rule, on every path that reaches it (built CLI, real gnome-keyring).

const CANARY = 'canary-redis-password-own-services-71c3';

describeWithKeyring("Latchkey's own keychain services through keychain:// (built CLI, real keyring)", () => {
  const keychain = realKeychain();
  let xdg: TempXdg;
  let core: Core;
  let account: string;
  const outputs: CliRun[] = [];
  const run = async (args: string[], input?: string, env: Record<string, string> = {}) => {
    const result = await runLatchkey(args, { env: { ...xdg.env, ...env }, ...(input === undefined ? {} : { input }) });
    outputs.push(result);
    return result;
  };
  const passwordIsIntact = async () => expect(await keychain.getPassword(REDIS_PASSWORD_SERVICE, account)).toBe(CANARY);

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain, env: {}, logger: captureLogger().logger });
    // A session server saved as the app saves it: the password goes to the keychain, the config names its account.
    await core.sessions.save({ name: 'prod sessions', settings: { url: 'redis://127.0.0.1:6399' }, password: CANARY });
    account = (await core.config.read()).sessionServers.find((stored) => stored.name === 'prod sessions')!.redis.passwordAccount!;
    expect(account).toBeDefined();
    await passwordIsIntact();
  });

  afterAll(async () => {
    await keychain.deletePassword(REDIS_PASSWORD_SERVICE, account).catch(() => undefined);
    for (const entry of await keychain.findAccounts(USER_SECRETS_SERVICE)) if (entry.startsWith('own-services-')) await keychain.deletePassword(USER_SECRETS_SERVICE, entry);
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await core.close();
    await xdg.cleanup();
  });

  it('the services Latchkey itself uses are all in the namespace, and the rule is one prefix, without case', () => {
    for (const service of [KEYCHAIN_SERVICE, CONNECTION_CREDENTIALS_SERVICE, REDIS_PASSWORD_SERVICE, ownKeychainService('services')]) {
      expect(isOwnKeychainService(service), service).toBe(true);
    }
    for (const service of ['LATCHKEY-REDIS', 'Latchkey', 'latchkey-anything-later']) expect(isOwnKeychainService(service), service).toBe(true);
    for (const service of [USER_SECRETS_SERVICE, 'LATCHKEY-SECRETS', 'latchkeyish', 'my-latchkey-redis', 'github']) expect(isOwnKeychainService(service), service).toBe(false);
    expect(() => ownKeychainService('secrets')).toThrow();
  });

  it('secrets get, ls, set, rm and history refuse keychain://latchkey-redis/… and never show or change the password', async () => {
    const ref = `keychain://${REDIS_PASSWORD_SERVICE}/${account}`;
    const attempts: [string[], string?][] = [
      [['secrets', 'get', ref]],
      [['secrets', 'get', ref, '--json']],
      [['secrets', 'ls', `keychain://${REDIS_PASSWORD_SERVICE}/`]],
      [['secrets', 'ls', `keychain://${REDIS_PASSWORD_SERVICE}/`, '--json']],
      [['secrets', 'set', ref, '--value-stdin'], 'attacker-chosen-password'],
      [['secrets', 'rm', ref, '--yes']],
      [['secrets', 'history', ref]],
      [['rotate', ref, '--json']],
      [['rollback', ref]],
      // The same service in other spellings reaches the same entry on Windows (and must not depend on the platform).
      [['secrets', 'get', `keychain://LATCHKEY-REDIS/${account}`]],
      [['secrets', 'set', `keychain://Latchkey-Redis/${account}`, '--value-stdin'], 'attacker-chosen-password'],
      // Every other service of Latchkey's, including ones that do not exist yet.
      [['secrets', 'ls', `keychain://${KEYCHAIN_SERVICE}/`]],
      [['secrets', 'ls', `keychain://${CONNECTION_CREDENTIALS_SERVICE}/`]],
      [['secrets', 'set', 'keychain://latchkey-services/pg-prod', '--value-stdin'], 'x'],
    ];
    for (const [args, input] of attempts) {
      const result = await run(args, input);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toMatch(/is Latchkey's own/);
      expect(result.stdout + result.stderr).not.toContain(CANARY);
    }
    await passwordIsIntact();
    expect(await keychain.getPassword('latchkey-services', 'pg-prod')).toBeNull();
    // 15 runs of the built CLI one after another (~2 s each on a loaded 2-core machine).
  }, 180_000);

  it('a keychain connection on one of those services cannot be saved, from settings or from LATCHKEY_KEYCHAIN_SERVICE', async () => {
    const added = await run(['connections', 'add', 'sneaky', '--settings', JSON.stringify({ kind: 'keychain', service: 'latchkey-redis' })]);
    expect(added.code).toBe(1);
    expect(added.stderr).toMatch(/is Latchkey's own/);
    expect((await core.config.read()).connections).toEqual([]);
    const fromEnv = await run(['secrets', 'ls', `keychain://${USER_SECRETS_SERVICE}/`], undefined, { LATCHKEY_KEYCHAIN_SERVICE: 'latchkey-redis' });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toMatch(/is Latchkey's own/);
  });

  it('an environment bound to such a connection by an older config: export, import, incident and diff are refused; the password stays', async () => {
    // Written as an older Latchkey could have saved it; loading the config must still work for everything else.
    await core.config.update((config) => {
      config.connections.push({ name: 'old-keychain', connection: { kind: 'keychain', service: REDIS_PASSWORD_SERVICE } });
    });
    await core.projects.createProject('ops');
    await core.projects.createEnvironment('ops', 'dev');
    await core.projects.createEnvironment('ops', 'stage');
    await core.config.update((config) => {
      const stage = config.projects.find((project) => project.name === 'ops')!.environments.find((environment) => environment.name === 'stage')!;
      stage.binding = { backend: 'connection', connection: 'old-keychain', prefix: '' };
    });
    const dotenv = join(xdg.root, 'in.env');
    await writeFile(dotenv, `${account}=attacker-chosen-password\n`, { mode: 0o600 });
    const mycelium = join(xdg.root, 'mycelium.json');
    await writeFile(mycelium, JSON.stringify({ project_name: 'ops', redis_password: 'attacker-chosen-password' }), { mode: 0o600 });
    for (const args of [
      ['env', 'export', '--project', 'ops', '--env', 'stage'],
      ['env', 'import', dotenv, '--project', 'ops', '--env', 'stage', '--yes'],
      ['import', 'mycelium', mycelium, '--project', 'ops', '--env', 'stage', '--overwrite'],
      ['incident', 'rotate', '--project', 'ops', '--env', 'stage', '--yes', '--json'],
      ['env', 'diff', '--project', 'ops', '--env', 'dev', '--env', 'stage'],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stdout + result.stderr, args.join(' ')).toMatch(/is Latchkey's own/);
      expect(result.stdout + result.stderr).not.toContain(CANARY);
    }
    await passwordIsIntact();
    // The rest of the config still loads: the file store keeps working.
    expect((await run(['secrets', 'set', 'file://ops/dev/KEY', '--value-stdin'], 'v')).code).toBe(0);
  });

  it('the user service latchkey-secrets, and any service outside the namespace, still work', async () => {
    const ref = `keychain://${USER_SECRETS_SERVICE}/own-services-TOKEN`;
    expect((await run(['secrets', 'set', ref, '--value-stdin'], 'user-value')).code).toBe(0);
    expect((await run(['secrets', 'get', ref])).stdout).toBe('user-value');
    const backend = new KeychainBackend({ keychain, service: 'own-services-elsewhere' });
    await backend.set('own-services-elsewhere/A', 'a');
    expect((await backend.get('own-services-elsewhere/A')).value).toBe('a');
    await backend.delete('own-services-elsewhere/A');
  });

  it('no output of any attempt holds the password', () => {
    expect(outputs.length).toBeGreaterThan(15);
    for (const output of outputs) expect(output.stdout + output.stderr).not.toContain(CANARY);
  });
});
