import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import type { AuditEntry } from '../../../electron/core/audit/entry';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { childrenOf, latchkeyCommandLine, procView, startLatchkey as startProcess, startWatched as startWatchedProcess, type LatchkeyProcess } from './latchkey-process';
import { runLatchkey } from './run-cli';
import { writePrograms, type ProgramName } from './run-programs';

// `latchkey run` as a user runs it: the built binary, real processes and signals, real files and the
// real keyring for the local store, and Vault through its wire-level fake. Each check looks at the
// program's side (what it printed about its environment, argv and signals) and at the outside world
// (/proc, marker files, the audit log).

const CANARY = `run-canary-${randomBytes(4).toString('hex')}`;
const DEV: Record<string, string> = {
  DB_PASSWORD: `${CANARY}-db`,
  STRIPE_KEY: `${CANARY}-stripe`,
  UNICODE: `${CANARY}-clé-🔑`,
  MULTILINE: `${CANARY}\nsecond "line" $HOME \\n`,
};

describeWithKeyring('latchkey run (built CLI, real processes, real files and keyring, Vault wire-level fake)', () => {
  let xdg: TempXdg;
  let core: Core;
  let vault: VaultFake;
  let env: Record<string, string>;
  let program: (name: ProgramName) => string;
  const run = (args: string[], input?: string) => runLatchkey(args, { env, ...(input === undefined ? {} : { input }) });
  const marker = (name: string) => join(xdg.root, `${name}.started`);
  const json = <T>(text: string) => JSON.parse(text) as T;
  // Whatever a failed check leaves running (latchkey, its program) is killed after each test.
  const spawned: LatchkeyProcess[] = [];
  const startLatchkey = (...args: Parameters<typeof startProcess>) => track(startProcess(...args));
  const startWatched = (...args: Parameters<typeof startWatchedProcess>) => track(startWatchedProcess(...args));
  const track = (started: LatchkeyProcess) => {
    spawned.push(started);
    return started;
  };
  afterEach(async () => {
    for (const started of spawned.splice(0)) await started.killAll();
  });

  beforeAll(async () => {
    [xdg, vault] = await Promise.all([createTempXdg(), VaultFake.start()]);
    env = { ...xdg.env, LATCHKEY_SECRETS_LAYOUT: 'native' };
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env });
    program = await writePrograms(join(xdg.root, 'programs'));
    for (const [key, value] of Object.entries(DEV)) await core.refs.set(`file://payments/dev/${key}`, value);
    await core.refs.set('file://payments/odd/db.password', 'x');
    await core.refs.set('file://payments/odd/GOOD', 'y');
    await core.connections.add('vault-fake', { kind: 'vault', address: vault.url, auth: { method: 'token' } }, { token: vault.createToken() });
    await core.projects.createEnvironment('payments', 'staging', { binding: { backend: 'connection', connection: 'vault-fake', prefix: 'payments/staging/' } });
    vault.seed('payments/staging/API_TOKEN', { value: `${CANARY}-vault-api` });
    vault.seed('payments/staging/DB_URL', { value: `postgres://app:${CANARY}-vault-db@db/app` });
  });
  afterAll(async () => {
    await core.close();
    await vault.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it("hands every secret of a local-store environment to the program's environment — on top of the inherited one, never in its arguments", async () => {
    const result = await runLatchkey(['run', '--project', 'payments', '--env', 'dev', '--', program('env-json.cjs'), 'DB_PASSWORD', 'STRIPE_KEY', 'UNICODE', 'MULTILINE', 'INHERITED'], {
      env: { ...env, INHERITED: 'from the shell' },
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const seen = json<{ env: Record<string, string>; argv: string[] }>(result.stdout);
    expect(seen.env).toEqual({ ...DEV, INHERITED: 'from the shell' });
    expect(seen.argv.join(' ')).not.toContain(CANARY);
  });

  it('a secret wins over an inherited variable; --no-override keeps the inherited one and says which', async () => {
    const args = ['--project', 'payments', '--env', 'dev', '--', program('env-json.cjs'), 'DB_PASSWORD', 'STRIPE_KEY'];
    const overridden = await runLatchkey(['run', ...args], { env: { ...env, DB_PASSWORD: 'inherited' } });
    expect(json<{ env: Record<string, string> }>(overridden.stdout).env.DB_PASSWORD).toBe(DEV.DB_PASSWORD);
    const kept = await runLatchkey(['run', '--no-override', ...args], { env: { ...env, DB_PASSWORD: 'inherited' } });
    expect(json<{ env: Record<string, string> }>(kept.stdout).env).toEqual({ DB_PASSWORD: 'inherited', STRIPE_KEY: DEV.STRIPE_KEY });
    expect(kept.stderr).toBe('latchkey: --no-override: DB_PASSWORD kept the value already in the environment.\n');
  });

  it('--only hands out just those keys; a missing one stops everything before the program starts (exit 3)', async () => {
    const only = await run(['run', '--project', 'payments', '--env', 'dev', '--only', 'STRIPE_KEY', '--', program('env-json.cjs'), 'DB_PASSWORD', 'STRIPE_KEY']);
    expect(json<{ env: Record<string, string | null> }>(only.stdout).env).toEqual({ DB_PASSWORD: null, STRIPE_KEY: DEV.STRIPE_KEY });
    const missing = await run(['run', '--project', 'payments', '--env', 'dev', '--only', 'STRIPE_KEY', '--only', 'NOPE', '--', 'touch', marker('missing')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('A secret could not be read, so nothing was started:\n  NOPE (file://payments/dev/NOPE)');
    expect(existsSync(marker('missing'))).toBe(false);
  });

  it('a Vault-bound environment works the same (wire-level fake)', async () => {
    const result = await run(['run', '--project', 'payments', '--env', 'staging', '--', program('env-json.cjs'), 'API_TOKEN', 'DB_URL']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(json<{ env: Record<string, string> }>(result.stdout).env).toEqual({ API_TOKEN: `${CANARY}-vault-api`, DB_URL: `postgres://app:${CANARY}-vault-db@db/app` });
  });

  it('exits like the program: its code, 128 + a killing signal, 127 for a missing command (named), 126 for one that cannot run; bad usage is 2', async () => {
    const dev = ['run', '--project', 'payments', '--env', 'dev', '--'];
    expect(await run([...dev, 'sh', '-c', 'exit 7'])).toMatchObject({ code: 7, stdout: '', stderr: '' });
    expect(await run([...dev, 'sh', '-c', 'kill -KILL $$'])).toMatchObject({ code: 137 });
    expect(await run([...dev, 'no-such-program-here', '--flag'])).toEqual({ code: 127, stdout: '', stderr: 'latchkey: no-such-program-here: command not found\n' });
    expect(await run([...dev, join(xdg.root, 'nope', 'server')])).toMatchObject({ code: 127, stderr: expect.stringContaining('no such file or directory') });
    const notExecutable = join(xdg.root, 'notes.txt');
    await writeFile(notExecutable, 'not a program\n', { mode: 0o644 });
    expect(await run([...dev, notExecutable])).toMatchObject({ code: 126, stderr: `latchkey: ${notExecutable}: permission denied (not an executable file)\n` });
    expect(await run([...dev, xdg.root])).toMatchObject({ code: 126 });
    expect(await run(['run', '--project', 'payments', '--env', 'dev', '--'])).toMatchObject({ code: 2, stderr: expect.stringContaining('name the program to run after --') });
    expect(await run(['run', '--', 'true'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--project <name> --env <name>, or --env-file') });
    expect(await run(['run', '-f', 'x', '--only', 'A', '--', 'true'])).toMatchObject({ code: 2 });
    expect(await run(['run', '--project', 'payments', '--env', 'dev', '--watch-interval', '5', '--', 'true'])).toMatchObject({ code: 2 });
    // Options after the program's name are the program's: `--json` there does not make latchkey speak JSON.
    expect(await run([...dev, 'sh', '-c', 'echo "$1"', 'sh', '--json'])).toMatchObject({ code: 0, stdout: '--json\n' });
  });

  it('standard input passes through (the program waits on it, as it would started directly); output and error pass through', async () => {
    const catting = startLatchkey(['run', '--project', 'payments', '--env', 'dev', '--', 'sh', '-c', 'cat; echo "to stderr" >&2'], { env });
    await new Promise((resolve) => setTimeout(resolve, 500));
    catting.child.stdin!.write('typed later\n');
    catting.child.stdin!.end('and more\n');
    expect(await catting.exited).toMatchObject({ code: 0, stdout: 'typed later\nand more\n', stderr: 'to stderr\n' });
  });

  it.each(['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGUSR2'] as const)('%s sent to latchkey reaches the program once, and latchkey exits with its code', async (signal) => {
    const running = startLatchkey(['run', '--project', 'payments', '--env', 'dev', '--', program('signals.cjs')], { env });
    await running.waitFor(/ready \d+/);
    running.signal(signal);
    const ended = await running.exited;
    expect(ended).toMatchObject({ code: 11, stderr: '' });
    expect(ended.stdout.match(/got SIG\w+/g)).toEqual([`got ${signal}`]);
  });

  it('a program killed by a forwarded signal makes latchkey exit 128 + its number', async () => {
    const running = startLatchkey(['run', '--project', 'payments', '--env', 'dev', '--', 'sh', '-c', 'echo ready; exec sleep 30'], { env });
    await running.waitFor(/ready/);
    running.signal('SIGTERM');
    expect(await running.exited).toMatchObject({ code: 143 });
  });

  it('in a terminal, Ctrl-C reaches the program once (the terminal sends it to both; latchkey does not send it again)', async () => {
    // `script` gives latchkey a pseudo-terminal; ^C typed there is the terminal's SIGINT to its foreground group.
    const terminal = startWatched('script', ['-qefc', 'exec ' + latchkeyCommandLine(['run', '--project', 'payments', '--env', 'dev', '--', program('signals.cjs')]), '/dev/null'], { env: { ...env, SHELL: '/bin/sh' } });
    await terminal.waitFor(/ready \d+/);
    terminal.child.stdin!.write('\x03');
    const ended = await terminal.exited;
    expect(ended.stdout.match(/got SIG\w+/g)).toEqual(['got SIGINT']);
    expect(ended.code).toBe(11);
  });

  it('Ctrl-C while secrets are being read stops at once, and the program is never started (exit 130)', async () => {
    vault.inject({ kind: 'latency', ms: 4_000, times: Infinity });
    try {
      const before = vault.server.countRequests();
      const running = startLatchkey(['run', '--project', 'payments', '--env', 'staging', '--', 'touch', marker('interrupted')], { env });
      await expect.poll(() => vault.server.countRequests(), { timeout: 20_000 }).toBeGreaterThan(before);
      running.signal('SIGINT');
      const ended = await running.exited;
      expect(ended).toMatchObject({ code: 130, stdout: '' });
      expect(ended.stderr).toContain('interrupted (SIGINT) while reading secrets; touch was not started.');
      expect(existsSync(marker('interrupted'))).toBe(false);
    } finally {
      vault.server.clearFaults();
    }
    const last = (await core.audit.tail(1))[0]!;
    expect(last).toMatchObject({ action: 'env.run', outcome: 'cancelled', project: 'payments', environment: 'staging', command: 'touch' });
  });

  it('a backend that is down, or a keychain that cannot be reached, stops before the program starts (exit 1)', async () => {
    vault.inject({ kind: 'server-error', status: 503, times: Infinity });
    try {
      const down = await run(['run', '--project', 'payments', '--env', 'staging', '--', 'touch', marker('down')]);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/^latchkey: Vault at 127\.0\.0\.1:\d+ .*Nothing was started\.\n$/s);
      expect(existsSync(marker('down'))).toBe(false);
    } finally {
      vault.server.clearFaults();
    }
    const noKeychain = await runLatchkey(['run', '--project', 'payments', '--env', 'dev', '--', 'touch', marker('keychain')], { env: { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(xdg.root, 'no-bus')}` } });
    expect(noKeychain.code).toBe(1);
    expect(noKeychain.stderr).toContain('The OS keychain is not reachable');
    expect(existsSync(marker('keychain'))).toBe(false);
  });

  it('a locked keychain stops before the program starts, and says to unlock it (exit 1; a private Secret Service of its own)', async () => {
    // Locking the keyring the other tests share would fail them: this one starts its own, as scripts/with-keyring.sh does.
    const home = join(xdg.root, 'locked');
    const markerFile = marker('locked');
    const script = [
      'printf %s throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
      `printf %s value | ${latchkeyCommandLine(['secrets', 'set', 'file://locked/dev/KEY', '--value-stdin'])} >/dev/null`,
      'dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null',
      `exec ${latchkeyCommandLine(['run', '--project', 'locked', '--env', 'dev', '--', 'touch', markerFile])}`,
    ].join('\n');
    // gnome-keyring keeps its control socket under ~/.cache; no display, so its unlock prompt cannot show.
    await mkdir(join(home, '.cache'), { recursive: true });
    const locked = startWatched('dbus-run-session', ['--', 'sh', '-c', script], {
      env: { ...env, HOME: home, XDG_DATA_HOME: join(home, 'keyring'), XDG_STATE_HOME: join(home, 'state'), XDG_CONFIG_HOME: join(home, 'config'), DISPLAY: '', WAYLAND_DISPLAY: '' },
    });
    const ended = await locked.exited;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('or the keychain is locked. Unlock your keychain and try again');
    expect(ended.stderr).toContain('Nothing was started.');
    expect(existsSync(markerFile)).toBe(false);
  });

  it('a key that is not a variable name is refused with the rule (exit 3); --only picks the others', async () => {
    const refused = await run(['run', '--project', 'payments', '--env', 'odd', '--', 'touch', marker('odd')]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('This name is not a valid environment variable name: "db.password". A variable name has letters, digits and "_", not starting with a digit');
    expect(refused.stderr).toContain('choose the others with --only');
    expect(existsSync(marker('odd'))).toBe(false);
    expect(await run(['run', '--project', 'payments', '--env', 'odd', '--only', 'GOOD', '--', 'true'])).toMatchObject({ code: 0 });
  });

  it('--mask: values written a byte at a time, split across writes, multi-byte, on stdout and stderr become <redacted:NAME>; stdin still passes', async () => {
    const masked = await run(['run', '--project', 'payments', '--env', 'dev', '--mask', '--', program('trickle.cjs'), 'DB_PASSWORD', 'UNICODE']);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toBe('[DB_PASSWORD: <redacted:DB_PASSWORD>]\n[UNICODE: <redacted:UNICODE>]\n');
    expect(masked.stderr).toBe('err <redacted:DB_PASSWORD> end\nerr <redacted:UNICODE> end\n');
    const echoed = await run(['run', '--project', 'payments', '--env', 'dev', '--mask', '--', 'cat'], `typed: ${DEV.STRIPE_KEY}!`);
    expect(echoed).toMatchObject({ code: 0, stdout: 'typed: <redacted:STRIPE_KEY>!' });
    // Overlapping values: every byte of each is covered.
    const overlap = await run(['run', '--project', 'payments', '--env', 'dev', '--mask', '--', 'sh', '-c', 'printf "%s%s\\n" "$DB_PASSWORD" "-tail"']);
    expect(overlap.stdout).toBe('<redacted:DB_PASSWORD>-tail\n');
  });

  it("values never appear in either process's arguments, nor in latchkey's own environment (/proc, while both run)", async () => {
    const running = startLatchkey(['run', '--project', 'payments', '--env', 'dev', '--', program('hold.cjs'), '--port', '8080'], { env });
    const [, pid] = (await running.waitFor(/ready (\d+)/)) as unknown as [string, string];
    expect(await childrenOf(running.pid)).toContain(Number(pid));
    const latchkey = await procView(running.pid);
    const child = await procView(Number(pid));
    expect(latchkey.cmdline).toContain('run');
    expect(child.cmdline).toContain('hold.cjs');
    for (const text of [latchkey.cmdline, latchkey.environ, child.cmdline]) expect(text).not.toContain(CANARY);
    // The program's own environment holds them: that is the point (and proves the check above could fail).
    expect(child.environ).toContain(`DB_PASSWORD=${DEV.DB_PASSWORD}`);
    running.child.stdin!.end('bye');
    expect(await running.exited).toMatchObject({ code: 0 });
  });

  it('the audit trail records each run: where the secrets came from, the variables handed out, the program by name (no arguments, no values) and how it ended', async () => {
    await run(['run', '--project', 'payments', '--env', 'dev', '--', 'sh', '-c', `exit 3 # ${CANARY}-in-an-argument`]);
    const tail = await runLatchkey(['audit', 'tail', '-n', '2', '--json'], { env });
    const [started, ended] = json<AuditEntry[]>(tail.stdout);
    expect(started).toMatchObject({ action: 'env.run', outcome: 'started', project: 'payments', environment: 'dev', command: 'sh', keys: Object.keys(DEV).sort(), counts: { total: 4 } });
    expect(ended).toMatchObject({ action: 'env.run', outcome: 'failed', project: 'payments', environment: 'dev', command: 'sh', exit_code: 3 });
    expect(tail.stdout).not.toContain(CANARY);
    expect((await runLatchkey(['audit', 'verify'], { env })).code).toBe(0);
  });

  it('10,000 secrets from Vault all reach the program: a whole environment, not a truncated one (wire-level fake)', { timeout: 240_000 }, async () => {
    await core.projects.createEnvironment('payments', 'many', { binding: { backend: 'connection', connection: 'vault-fake', prefix: 'payments/many/' } });
    for (let index = 0; index < 10_000; index += 1) vault.seed(`payments/many/SECRET_${index}`, { value: `v${index}-${'x'.repeat(20)}` });
    const all = await run(['run', '--project', 'payments', '--env', 'many', '--', 'sh', '-c', 'env | grep -c "^SECRET_[0-9]*=v[0-9]*-x\\{20\\}$"; echo "$SECRET_0 $SECRET_9999"']);
    expect(all).toMatchObject({ code: 0, stdout: `10000\nv0-${'x'.repeat(20)} v9999-${'x'.repeat(20)}\n` });
  });

  it('an environment the OS cannot take — 10,000 variables of 400 bytes, or one value over 128 KiB — is a clear error, and no program (exit 3)', async () => {
    const lines = Array.from({ length: 10_000 }, (_, index) => `SECRET_${index}=${'y'.repeat(400)}`);
    const envFile = join(xdg.root, 'huge.env');
    await writeFile(envFile, `${lines.join('\n')}\nDB_PASSWORD=file://payments/dev/DB_PASSWORD\n`);
    const huge = await run(['run', '--env-file', envFile, '--', 'touch', marker('huge')]);
    expect(huge.code).toBe(3);
    expect(huge.stderr).toMatch(/would take 4\.\d MiB \(10,0\d\d variables\), more than Linux lets a program start with: \d+\.\d MiB \(.+\)\. Choose the secrets it needs with --only/);
    expect(existsSync(marker('huge'))).toBe(false);

    await core.refs.set('file://payments/big/CERT_BUNDLE', 'c'.repeat(200 * 1024));
    const big = await run(['run', '--project', 'payments', '--env', 'big', '--', 'touch', marker('big')]);
    expect(big).toMatchObject({ code: 3, stderr: expect.stringContaining('CERT_BUNDLE (204,813 bytes)') });
    expect(big.stderr).toContain('MAX_ARG_STRLEN');
    expect(existsSync(marker('big'))).toBe(false);
  });
});

