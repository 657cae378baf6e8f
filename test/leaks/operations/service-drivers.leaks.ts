import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { nativePasswordHash } from '../../../electron/core/services/mysql/native-password';
import { AwsIamFake } from '../../fakes/aws-iam-fake';
import { mariadbAvailable, startMariaDb } from '../../harness/mariadb';
import type { LeakContext, LeakOperation } from '../leak-operation';

/**
 * The mysql, aws-iam and command rotators through the built CLI with canary credentials: the old
 * password, an admin password, AWS secret keys. Besides the suite's own places (logs, files, CLI output,
 * the command line and environment of the CLI and of the hooks it starts), the services' own records are
 * searched: MariaDB's general query log and every request line and header the IAM fake received.
 */
async function environment(context: LeakContext): Promise<void> {
  await context.core.projects.createProject('leaks').catch(() => undefined);
  await context.core.projects.createEnvironment('leaks', 'dev').catch(() => undefined);
}

async function outsideFolder<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-leaks-hooks-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const operations: LeakOperation[] = [
  {
    name: 'command rotator: attach, dry run with a hook that prints the value, rotate, verify (CLI; the hook process is searched too)',
    async run(context) {
      await environment(context);
      await outsideFolder(async (dir) => {
        const state = join(dir, 'service-password');
        const hook = join(dir, 'rotate.sh');
        // `check` echoes the value (a broken hook: its output must be dropped); the other phases keep it in a file outside Latchkey's folders.
        await writeFile(
          hook,
          `#!/bin/bash
value=$(cat)
phase=$(cat <&3 | sed -E 's/.*"phase":"([a-z]+)".*/\\1/')
sleep 0.05
case "$phase" in
  check) echo "current: $value"; exit 0 ;;
  set|rollback) printf %s "$value" > ${state} ;;
  test) [ "$value" = "$(cat ${state})" ] ;;
  verify) [ "$value" != "$(cat ${state})" ] || exit 1 ;;
esac
`,
          { mode: 0o755 },
        );
        await chmod(hook, 0o755);
        const old = context.canary('hook-old');
        await writeFile(state, old);
        await context.core.refs.set('file://leaks/dev/HOOK_SECRET', old, { confirmed: true });
        expect(await context.cli(['rotators', 'set', 'file://leaks/dev/HOOK_SECRET', '--command', hook, '--json'])).toMatchObject({ code: 0 });
        const dryRun = await context.cli(['rotators', 'test', 'file://leaks/dev/HOOK_SECRET', '--json']);
        expect(dryRun.stdout).toContain('wrote the secret value to its output');
        expect(await context.cli(['rotate', 'file://leaks/dev/HOOK_SECRET', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotators', 'finish', '--json'])).toMatchObject({ code: 0 });
      });
    },
  },
  {
    name: 'mysql rotator: services add with a canary admin password on stdin, rotate, a wrong admin password (CLI; MariaDB general log searched)',
    async run(context) {
      if (!mariadbAvailable()) {
        console.warn('[no-leaks] mysql rotator operation skipped: MariaDB is not installed (Debian: mariadb-server)');
        return;
      }
      await environment(context);
      const db = await startMariaDb();
      try {
        const adminPassword = context.canary('mysql-admin');
        const old = context.canary('mysql-old');
        await db.sql("CREATE USER 'leak_admin'@'%' IDENTIFIED BY PASSWORD ?", [nativePasswordHash(adminPassword)]);
        await db.sql("GRANT ALL PRIVILEGES ON *.* TO 'leak_admin'@'%'");
        await db.sql("CREATE USER 'leak_app'@'%' IDENTIFIED BY PASSWORD ?", [nativePasswordHash(old)]);
        await context.core.refs.set('file://leaks/dev/MYSQL_URL', `mysql://leak_app:${old}@127.0.0.1:${db.port}/app`, { confirmed: true });
        const url = `mysql://leak_admin:${encodeURIComponent(adminPassword)}@127.0.0.1:${db.port}/`;
        expect(await context.cli(['services', 'add', 'mysql-leaks', '--kind', 'mysql', '--url-stdin', '--json'], { input: url })).toMatchObject({ code: 0 });
        expect(await context.cli(['rotators', 'set', 'file://leaks/dev/MYSQL_URL', '--service', 'mysql-leaks', '--user', 'leak_app', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotators', 'test', 'file://leaks/dev/MYSQL_URL', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotate', 'file://leaks/dev/MYSQL_URL', '--json'])).toMatchObject({ code: 0 });
        expect(await db.canLogin('leak_app', old)).toBe(false);
        const wrong = `mysql://leak_admin:${encodeURIComponent(context.canary('mysql-wrong-admin'))}@127.0.0.1:${db.port}/`;
        expect(await context.cli(['services', 'update', 'mysql-leaks', '--url-stdin', '--json'], { input: wrong })).toMatchObject({ code: 0 });
        expect((await context.cli(['services', 'test', 'mysql-leaks', '--json'])).code).not.toBe(0);
        context.observe('MariaDB general query log', await db.log());
      } finally {
        await db.destroy();
      }
    },
  },
  {
    name: 'aws-iam rotator: a connection with canary admin keys, rotate a canary access key, refused-key faults (CLI; the IAM fake’s requests searched)',
    async run(context) {
      await environment(context);
      const fake = await AwsIamFake.start({ region: 'eu-west-1' });
      try {
        fake.addUser('leak-admin', 'admin');
        fake.addUser('leak-ci');
        const admin = fake.addKey('leak-admin', 'Active', context.canary('iam-admin-secret'));
        const old = fake.addKey('leak-ci', 'Active', context.canary('iam-old-secret'));
        await context.core.refs.set('file://leaks/dev/AWS_KEY', JSON.stringify(old), { confirmed: true });
        const connection = JSON.stringify({ kind: 'aws', region: 'eu-west-1', credentials: { source: 'access-keys' } });
        expect(await context.cli(['connections', 'add', 'aws-leaks', '--settings', connection, '--credentials-stdin', '--json'], { input: JSON.stringify(admin) })).toMatchObject({ code: 0 });
        const endpoints = JSON.stringify({ iamEndpoint: fake.url, stsEndpoint: fake.url });
        expect(await context.cli(['services', 'add', 'iam-leaks', '--kind', 'aws-iam', '--connection', 'aws-leaks', '--settings', endpoints, '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotators', 'set', 'file://leaks/dev/AWS_KEY', '--service', 'iam-leaks', '--user', 'leak-ci', '--json'])).toMatchObject({ code: 0 });
        expect(await context.cli(['rotate', 'file://leaks/dev/AWS_KEY', '--json'])).toMatchObject({ code: 0 });
        expect(fake.key(old.accessKeyId)).toBeUndefined();
        // The deleted key, back in the store, is refused by AWS: the error names the key id, never its secret.
        await context.core.refs.set('file://leaks/dev/AWS_KEY', JSON.stringify(old), { confirmed: true });
        const refused = await context.cli(['rotate', 'file://leaks/dev/AWS_KEY', '--json']);
        expect(refused.code).not.toBe(0);
        context.observe('IAM fake request lines and headers', fake.server.traces().join('\n'));
      } finally {
        await fake.close();
      }
    },
  },
];
