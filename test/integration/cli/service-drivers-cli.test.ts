import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { nativePasswordHash } from '../../../electron/core/services/mysql/native-password';
import { AwsIamFake } from '../../fakes/aws-iam-fake';
import { realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { describeWithMariaDb, startMariaDb, type MariaDbServer } from '../../harness/mariadb';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey, startLatchkey } from './run-cli';

/**
 * `latchkey rotate` with the mysql, aws-iam and command rotators, through the built binary, real files
 * and the real keyring: a real MariaDB 10.11 (general query log on), the wire-level IAM + STS fake
 * driven by the real AWS SDK clients, and real hook executables. After each rotation the service
 * itself accepts the new credential and refuses the old one; a CLI killed (SIGKILL) in the middle of a
 * step leaves a journal that `latchkey rotators finish` settles, with store and service in agreement.
 */
describeWithMariaDb('latchkey rotate with mysql, aws-iam (wire-level fake) and command rotators (the built CLI)', () => {
  let db: MariaDbServer;
  let fake: AwsIamFake;
  let xdg: TempXdg;
  let core: Core;
  let hooks: string;
  let admin: { accessKeyId: string; secretAccessKey: string };
  const secrets: string[] = [];
  const outputs: string[] = [];
  const run = async (args: string[], options: { input?: string; cwd?: string } = {}) => {
    const result = await runLatchkey(args, { env: xdg.env, ...options });
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const json = <T>(text: string) => JSON.parse(text) as T;
  const get = async (ref: string) => (await core.refs.get(ref)).value;
  const password = (label: string) => {
    const value = `cli-drivers-${label}-${randomBytes(8).toString('hex')}`;
    secrets.push(value);
    return value;
  };
  const createMysqlUser = (user: string, secret: string) => db.sql('CREATE USER ?@? IDENTIFIED BY PASSWORD ?', [user, '%', nativePasswordHash(secret)]);
  const stsAccepts = async (key: { accessKeyId: string; secretAccessKey: string }) => {
    const sts = new STSClient({ region: fake.region, endpoint: fake.url, credentials: key, maxAttempts: 1 });
    try {
      await sts.send(new GetCallerIdentityCommand({}));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'InvalidClientTokenId') return false;
      throw error;
    } finally {
      sts.destroy();
    }
  };

  /** Kills a `latchkey` run (SIGKILL) once `reached` says it is inside the step under test. */
  const killDuring = async (args: string[], reached: () => Promise<void>) => {
    const started = startLatchkey(args, { env: xdg.env });
    await reached();
    started.child.kill('SIGKILL');
    const ended = await started.exited;
    outputs.push(ended.stdout, ended.stderr);
    expect(ended.signal).toBe('SIGKILL');
  };

  beforeAll(async () => {
    db = await startMariaDb();
    fake = await AwsIamFake.start({ region: 'eu-west-1' });
    fake.addUser('latchkey-admin', 'admin');
    admin = fake.addKey('latchkey-admin');
    secrets.push(db.admin.password, admin.secretAccessKey);
    xdg = await createTempXdg();
    hooks = await mkdtemp(join(tmpdir(), 'latchkey-cli-hooks-'));
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env: xdg.env });
    await core.projects.createProject('shop');
    await core.projects.createEnvironment('shop', 'prod');
  });

  afterAll(async () => {
    const services = await core.services.registry.list().catch(() => []);
    for (const service of services) for (const rotator of service.rotators) await core.services.rotators.remove(`file://${rotator.project}/${rotator.environment}/${rotator.key}`).catch(() => undefined);
    for (const service of services) await core.services.registry.remove(service.name, { confirmed: true }).catch(() => undefined);
    await core.connections.remove('prod-aws', { confirmed: true }).catch(() => undefined);
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
    await rm(hooks, { recursive: true, force: true });
    await fake.close();
    await db.destroy();
  });

  it('mysql: services add from an admin URL on stdin, rotators test, rotate — MariaDB refuses the old password and accepts the new', async () => {
    const added = await run(['services', 'add', 'mysql-prod', '--kind', 'mysql', '--url-stdin', '--json'], { input: db.adminUrl });
    expect(added.code).toBe(0);
    expect(json(added.stdout)).toMatchObject({ name: 'mysql-prod', kind: 'mysql', location: `mysql 127.0.0.1:${db.port} as admin`, credentials: 'stored' });
    expect(json<{ steps: { outcome: string }[] }>((await run(['services', 'test', 'mysql-prod', '--json'])).stdout).steps.every((step) => step.outcome === 'passed')).toBe(true);

    const ref = 'file://shop/prod/MYSQL_PASSWORD';
    const old = password('mysql-initial');
    await createMysqlUser('shop_app', old);
    await core.refs.set(ref, old, { confirmed: true });
    expect(await run(['rotators', 'set', ref, '--service', 'mysql-prod', '--user', 'shop_app'])).toMatchObject({ code: 0 });
    const dryRun = await run(['rotators', 'test', ref, '--json']);
    expect(json<{ steps: { name: string; outcome: string }[] }>(dryRun.stdout).steps.map((step) => `${step.name}:${step.outcome}`)).toEqual([
      'reachable:passed',
      'authenticated:passed',
      'server:passed',
      'exists:passed',
      'can change:passed',
    ]);

    const rotated = await run(['rotate', ref, '--json']);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(json(rotated.stdout)).toEqual([{ ref, ok: true, version: '2', changed_at: 'mysql-prod', old_retired: true }]);
    const fresh = await get(ref);
    secrets.push(fresh);
    expect(await db.canLogin('shop_app', fresh)).toBe(true);
    expect(await db.canLogin('shop_app', old)).toBe(false);
  });

  it('mysql alternating users in a mysql:// URL with a grace period: the value flips to the other user, the old one is locked at finish', async () => {
    const ref = 'file://shop/prod/DATABASE_URL';
    const old = password('mysql-alt');
    await createMysqlUser('shop_a', old);
    await createMysqlUser('shop_b', password('mysql-alt-b'));
    await db.sql("ALTER USER 'shop_b'@'%' ACCOUNT LOCK");
    await core.refs.set(ref, `mysql://shop_a:${old}@127.0.0.1:${db.port}/shop?charset=utf8mb4`, { confirmed: true });
    expect(await run(['rotators', 'set', ref, '--service', 'mysql-prod', '--user', 'shop_a', '--strategy', 'alternating', '--user-b', 'shop_b', '--grace', '3600'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('value: url'),
    });
    const rotated = json<{ ok: boolean; old_retired: string }[]>((await run(['rotate', ref, '--json'])).stdout)[0]!;
    expect(rotated).toMatchObject({ ok: true, old_retired: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const [, user, secret, rest] = /^mysql:\/\/([^:]+):([^@]+)@(.*)$/.exec(await get(ref))!;
    const fresh = decodeURIComponent(secret!);
    secrets.push(fresh);
    expect([user, rest]).toEqual(['shop_b', `127.0.0.1:${db.port}/shop?charset=utf8mb4`]);
    expect(await db.canLogin('shop_b', fresh)).toBe(true);
    expect(await db.canLogin('shop_a', old)).toBe(true); // the grace period

    expect(json((await run(['rotators', 'finish', ref, '--now', '--json'])).stdout)).toEqual([expect.objectContaining({ ref, outcome: 'retired', message: expect.stringContaining('is refused there') })]);
    expect(await db.canLogin('shop_a', old)).toBe(false);
    expect(await db.canLogin('shop_b', fresh)).toBe(true);
  });

  it('mysql, SIGKILL while ALTER USER waits at the server: the server applies it after the CLI died, and rotators finish puts the old password back', async () => {
    const ref = 'file://shop/prod/MYSQL_CRASH';
    const old = password('mysql-crash');
    await createMysqlUser('shop_crash', old);
    await core.refs.set(ref, old, { confirmed: true });
    expect(await run(['rotators', 'set', ref, '--service', 'mysql-prod', '--user', 'shop_crash'])).toMatchObject({ code: 0 });

    const locker = await db.root();
    await locker.query('LOCK TABLES mysql.global_priv WRITE');
    try {
      await killDuring(['rotate', ref, '--json'], async () => {
        for (;;) {
          const waiting = await db.sql<unknown[]>("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'ALTER USER%shop_crash%'");
          if (waiting.length > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
    } finally {
      await locker.query('UNLOCK TABLES');
      await locker.end();
    }
    // The change reached the server: now neither the stored value nor anything Latchkey reported logs in.
    expect(await db.canLogin('shop_crash', old)).toBe(false);
    const settled = await run(['rotators', 'finish', ref, '--json']);
    expect(json(settled.stdout)).toEqual([expect.objectContaining({ ref, outcome: 'undone' })]);
    expect(await get(ref)).toBe(old);
    expect(await db.canLogin('shop_crash', old)).toBe(true);
    // And the next rotation goes through.
    expect(json((await run(['rotate', ref, '--json'])).stdout)).toEqual([expect.objectContaining({ ref, ok: true, changed_at: 'mysql-prod' })]);
    secrets.push(await get(ref));
    expect(await db.canLogin('shop_crash', await get(ref))).toBe(true);
  });

  it('aws-iam: services add with a saved AWS connection, rotate — the stored key pair is replaced by a new key IAM made, and the old key is refused', async () => {
    const connection = await run(['connections', 'add', 'prod-aws', '--settings', JSON.stringify({ kind: 'aws', region: 'eu-west-1', credentials: { source: 'access-keys' } }), '--credentials-stdin'], { input: JSON.stringify(admin) });
    expect(connection.code).toBe(0);
    const settings = JSON.stringify({ iamEndpoint: fake.url, stsEndpoint: fake.url });
    expect(await run(['services', 'add', 'iam-prod', '--kind', 'aws-iam', '--connection', 'prod-aws', '--settings', settings, '--json'])).toMatchObject({ code: 0, stdout: expect.stringContaining('connection prod-aws') });
    expect(await run(['services', 'test', 'iam-prod'])).toMatchObject({ code: 0 });

    fake.addUser('shop-ci');
    const old = fake.addKey('shop-ci');
    secrets.push(old.secretAccessKey);
    const ref = 'file://shop/prod/AWS_CI_KEY';
    await core.refs.set(ref, JSON.stringify({ accessKeyId: old.accessKeyId, secretAccessKey: old.secretAccessKey, region: 'eu-west-1' }), { confirmed: true });
    const attached = await run(['rotators', 'set', ref, '--service', 'iam-prod', '--user', 'shop-ci', '--json']);
    expect(attached.code).toBe(0);
    expect(json(attached.stdout)).toMatchObject({ kind: 'aws-iam', format: 'json', strategy: 'dual', user: 'shop-ci' });
    expect(await run(['rotators', 'test', ref])).toMatchObject({ code: 0 });

    const rotated = await run(['rotate', ref, '--json']);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(json(rotated.stdout)).toEqual([{ ref, ok: true, version: '2', changed_at: 'iam-prod', old_retired: true }]);
    const stored = json<{ accessKeyId: string; secretAccessKey: string; region: string }>(await get(ref));
    secrets.push(stored.secretAccessKey);
    expect(stored.region).toBe('eu-west-1');
    expect(stored.accessKeyId).not.toBe(old.accessKeyId);
    expect(fake.keysOf('shop-ci').map((key) => key.accessKeyId)).toEqual([stored.accessKeyId]);
    expect(await stsAccepts(stored)).toBe(true);
    expect(await stsAccepts(old)).toBe(false);
    expect(rotated.stdout).not.toContain(stored.secretAccessKey);
  });

  it('aws-iam with a grace period: the old key stays active (both work) until rotators finish deactivates and deletes it', async () => {
    const ref = 'file://shop/prod/AWS_CI_KEY';
    const stored = json<{ accessKeyId: string; secretAccessKey: string }>(await get(ref));
    expect(await run(['rotators', 'set', ref, '--service', 'iam-prod', '--user', 'shop-ci', '--grace', '3600'])).toMatchObject({ code: 0 });
    const graced = json<{ ok: boolean; old_retired: string }[]>((await run(['rotate', ref, '--json'])).stdout)[0]!;
    expect(graced).toMatchObject({ ok: true, old_retired: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const newest = json<{ accessKeyId: string; secretAccessKey: string }>(await get(ref));
    secrets.push(newest.secretAccessKey);
    expect(fake.keysOf('shop-ci').map((key) => [key.accessKeyId, key.status])).toEqual([
      [stored.accessKeyId, 'Active'],
      [newest.accessKeyId, 'Active'],
    ]);
    expect(await stsAccepts(stored)).toBe(true);
    expect(json((await run(['rotators', 'finish', ref, '--now', '--json'])).stdout)).toEqual([expect.objectContaining({ ref, outcome: 'retired', message: expect.stringContaining('is refused there') })]);
    expect(fake.keysOf('shop-ci').map((key) => key.accessKeyId)).toEqual([newest.accessKeyId]);
    expect(await stsAccepts(stored)).toBe(false);
  });

  it('aws-iam, SIGKILL while the answer to CreateAccessKey is on its way: rotators finish finds the orphan key and deletes it', async () => {
    fake.addUser('shop-crash');
    const old = fake.addKey('shop-crash');
    secrets.push(old.secretAccessKey);
    const ref = 'file://shop/prod/AWS_CRASH_KEY';
    const value = JSON.stringify({ accessKeyId: old.accessKeyId, secretAccessKey: old.secretAccessKey });
    await core.refs.set(ref, value, { confirmed: true });
    expect(await run(['rotators', 'set', ref, '--service', 'iam-prod', '--user', 'shop-crash'])).toMatchObject({ code: 0 });

    const hold = fake.hold('CreateAccessKey');
    await killDuring(['rotate', ref], () => hold.reached);
    hold.release();
    expect(fake.keysOf('shop-crash')).toHaveLength(2);
    secrets.push(fake.keysOf('shop-crash')[1]!.secretAccessKey);

    expect(json((await run(['rotators', 'finish', ref, '--json'])).stdout)).toEqual([expect.objectContaining({ ref, outcome: 'undone' })]);
    expect(fake.keysOf('shop-crash').map((key) => key.accessKeyId)).toEqual([old.accessKeyId]);
    expect(await get(ref)).toBe(value);
    expect(await stsAccepts(old)).toBe(true);
  });

  it('command: rotators set --command ./rotate.sh (resolved once), rotate runs the hook with the value on stdin and the context on fd 3', async () => {
    const state = join(hooks, 'temporal-password');
    const phases = join(hooks, 'phases');
    await writeFile(
      join(hooks, 'rotate.sh'),
      `#!/bin/bash
value=$(cat)
phase=$(cat <&3 | sed -E 's/.*"phase":"([a-z]+)".*/\\1/')
echo "$phase" >> ${phases}
case "$phase" in
  set|rollback) printf %s "$value" > ${state} ;;
  test) [ "$value" = "$(cat ${state})" ] ;;
  verify) [ "$value" != "$(cat ${state})" ] || exit 1 ;;
  finish) ;;
  *) exit 2 ;;
esac
`,
      { mode: 0o755 },
    );
    await chmod(join(hooks, 'rotate.sh'), 0o755);
    const ref = 'file://shop/prod/TEMPORAL_ADMIN_PASSWORD';
    const old = password('temporal');
    await writeFile(state, old);
    await core.refs.set(ref, old, { confirmed: true });
    const attached = await run(['rotators', 'set', ref, '--command', './rotate.sh', '--timeout', '30', '--json'], { cwd: hooks });
    expect(attached.code).toBe(0);
    expect(json(attached.stdout)).toMatchObject({ kind: 'command', command: join(hooks, 'rotate.sh'), timeoutSeconds: 30 });
    expect(await run(['rotators', 'set', 'file://shop/prod/OTHER', '--command', './missing.sh'], { cwd: hooks })).toMatchObject({ code: 3, stderr: expect.stringContaining('does not exist') });

    const rotated = await run(['rotate', ref, '--json']);
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(json(rotated.stdout)).toEqual([{ ref, ok: true, version: '2', changed_at: 'command:rotate.sh', old_retired: true }]);
    const fresh = await get(ref);
    secrets.push(fresh);
    expect(await readFile(state, 'utf8')).toBe(fresh);
    expect((await readFile(phases, 'utf8')).trim().split('\n')).toEqual(['set', 'test', 'finish', 'verify']);
  });

  it('command in an incident: the hook is told it is an incident at every phase, the report names it and says the old value was retired', async () => {
    await core.projects.createProject('hooks');
    await core.projects.createEnvironment('hooks', 'prod');
    const contexts = join(hooks, 'incident-contexts');
    await writeFile(join(hooks, 'incident.sh'), `#!/bin/bash\ncat > /dev/null\ncat <&3 >> ${contexts}\nexit 0\n`, { mode: 0o755 });
    const ref = 'file://hooks/prod/INCIDENT_SECRET';
    await core.refs.set(ref, password('incident'), { confirmed: true });
    expect(await run(['rotators', 'set', ref, '--command', join(hooks, 'incident.sh')])).toMatchObject({ code: 0 });
    const incident = await run(['incident', 'rotate', '--project', 'hooks', '--env', 'prod', '--yes', '--json']);
    expect(incident.code).toBe(0);
    expect(JSON.stringify(json(incident.stdout))).toContain('"changed_at":"command:incident.sh"');
    expect(JSON.stringify(json(incident.stdout))).toContain('"old_retired":true');
    secrets.push(await get(ref));
    const seen = (await readFile(contexts, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { phase: string; incident: boolean });
    expect(seen.map((context) => context.phase)).toEqual(['set', 'test', 'finish', 'verify']);
    expect(seen.every((context) => context.incident)).toBe(true);
  });

  it.each(['set', 'test', 'finish'])('command, SIGKILL during %s (the hook kills the CLI): rotators finish leaves store and "service" in agreement', async (phase) => {
    const state = join(hooks, `crash-${phase}-password`);
    const killed = join(hooks, `crash-${phase}-killed`);
    await writeFile(
      join(hooks, `crash-${phase}.sh`),
      `#!/bin/bash
value=$(cat)
p=$(cat <&3 | sed -E 's/.*"phase":"([a-z]+)".*/\\1/')
case "$p" in
  set|rollback) printf %s "$value" > ${state} ;;
  test) [ "$value" = "$(cat ${state})" ] || exit 1 ;;
  verify) [ "$value" != "$(cat ${state})" ] || exit 1 ;;
esac
# Once: the CLI that runs this hook dies here, as in a crash.
if [ "$p" = "${phase}" ] && [ ! -e ${killed} ]; then touch ${killed}; kill -KILL $PPID; sleep 1; fi
exit 0
`,
      { mode: 0o755 },
    );
    const ref = `file://shop/prod/CRASH_${phase.toUpperCase()}`;
    const old = password(`crash-${phase}`);
    await writeFile(state, old);
    await core.refs.set(ref, old, { confirmed: true });
    expect(await run(['rotators', 'set', ref, '--command', join(hooks, `crash-${phase}.sh`)])).toMatchObject({ code: 0 });

    const crashed = await startLatchkey(['rotate', ref, '--json'], { env: xdg.env }).exited;
    outputs.push(crashed.stdout, crashed.stderr);
    expect(crashed.signal).toBe('SIGKILL');

    const settled = json<{ outcome: string }[]>((await run(['rotators', 'finish', ref, '--now', '--json'])).stdout);
    expect(settled).toHaveLength(1);
    const stored = await get(ref);
    if (stored !== old) secrets.push(stored);
    // Whatever the step, the value in the store is the one the "service" holds: undone (old) or finished (new).
    expect(await readFile(state, 'utf8')).toBe(stored);
    expect(settled[0]!.outcome).toMatch(phase === 'set' ? /^undone$/ : phase === 'test' ? /^(undone|finished)$/ : /^(retired|finished)$/);
    if (phase === 'finish') expect(stored).not.toBe(old);
  });

  it('no value or admin credential reached the general query log, the CLI output, the audit trail or the configuration', async () => {
    const log = await db.log();
    const audit = await readFile(`${xdg.env.XDG_STATE_HOME}/latchkey/audit.jsonl`, 'utf8');
    const config = await readFile(`${xdg.env.XDG_CONFIG_HOME}/latchkey/config.json`, 'utf8');
    expect(secrets.length).toBeGreaterThan(10);
    for (const value of secrets) {
      expect(audit).not.toContain(value);
      expect(config).not.toContain(value);
      expect(outputs.join('\n')).not.toContain(value);
    }
    // Passwords the test created were sent as hashes too, so every password must be absent from the server's log.
    for (const value of secrets) expect(log).not.toContain(value);
    expect(log).toContain('IDENTIFIED BY PASSWORD');
  });
});
