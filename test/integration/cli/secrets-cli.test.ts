import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring } from '../../harness/keyring';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

const CANARY = 'canary-cli-61e0b4-value';

describeWithKeyring('latchkey secrets (the built CLI, real files, real keyring)', () => {
  let xdg: TempXdg;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
  beforeAll(async () => {
    xdg = await createTempXdg();
  });
  afterAll(() => xdg.cleanup());

  it('sets from stdin and gets the exact value on stdout', async () => {
    expect(await run(['secrets', 'set', 'file://demo/dev/API_KEY', '--value-stdin'], 'v')).toMatchObject({ code: 0 });
    expect(await run(['secrets', 'get', 'file://demo/dev/API_KEY'])).toEqual({ code: 0, stdout: 'v', stderr: '' });
  });

  it('drops one trailing newline from echo, keeps it on request, and keeps every other byte', async () => {
    await run(['secrets', 'set', 'file://demo/dev/ECHOED', '--value-stdin'], `${CANARY}\n`);
    expect((await run(['secrets', 'get', 'file://demo/dev/ECHOED'])).stdout).toBe(CANARY);
    await run(['secrets', 'set', 'file://demo/dev/RAW', '--value-stdin', '--keep-newline'], ' spaced "quoted" ünïcode \\ $HOME\n\n');
    expect((await run(['secrets', 'get', 'file://demo/dev/RAW'])).stdout).toBe(' spaced "quoted" ünïcode \\ $HOME\n\n');
  });

  it('never leaves the value on disk in plaintext; files 0600, directories 0700', async () => {
    const entries = await readdir(xdg.root, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      const path = join(entry.parentPath, entry.name);
      if (!path.includes('/latchkey')) continue;
      const mode = (await stat(path)).mode & 0o777;
      if (entry.isDirectory()) expect(mode, path).toBe(0o700);
      else {
        expect(mode, path).toBe(0o600);
        expect(await readFile(path, 'utf8'), path).not.toContain(CANARY);
      }
    }
  });

  it('exits 3 for a missing secret or project, and for an invalid reference', async () => {
    expect(await run(['secrets', 'get', 'file://demo/dev/MISSING'])).toMatchObject({ code: 3, stdout: '', stderr: expect.stringContaining('No secret') });
    expect(await run(['secrets', 'get', 'file://nowhere/dev/X'])).toMatchObject({ code: 3 });
    expect(await run(['secrets', 'get', 'file://demo/dev/../../etc/passwd'])).toMatchObject({ code: 3 });
    expect(await run(['secrets', 'get', 'ftp://x'])).toMatchObject({ code: 3, stderr: expect.stringContaining('Unknown reference scheme') });
  });

  it('exits 2 on bad usage: a value in the arguments, a missing --value-stdin, an unknown command', async () => {
    expect(await run(['secrets', 'set', 'file://demo/dev/K', CANARY])).toMatchObject({ code: 2 });
    expect(await run(['secrets', 'set', 'file://demo/dev/K'], CANARY)).toMatchObject({ code: 2, stderr: expect.stringContaining('standard input') });
    expect(await run(['secrets', 'frobnicate'])).toMatchObject({ code: 2 });
    expect(await run(['secrets', 'get', 'file://demo/dev/K'])).toMatchObject({ code: 3 });
  });

  it('lists names, never values, as text and as JSON', async () => {
    const listed = await run(['secrets', 'ls', 'file://demo/', '--json']);
    expect(listed.code).toBe(0);
    const refs = (JSON.parse(listed.stdout) as { ref: string }[]).map((item) => item.ref);
    expect(refs).toEqual(['file://demo/dev/API_KEY', 'file://demo/dev/ECHOED', 'file://demo/dev/RAW']);
    expect(listed.stdout).not.toContain(CANARY);
    expect((await run(['secrets', 'ls', 'file://demo/dev/E'])).stdout).toContain('file://demo/dev/ECHOED');
  });

  it('asks for --yes before writing to a protected environment', async () => {
    const refused = await run(['secrets', 'set', 'file://demo/prod/DB_PASSWORD', '--value-stdin'], CANARY);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('--yes') });
    expect(await run(['secrets', 'set', 'file://demo/prod/DB_PASSWORD', '--value-stdin', '--yes'], CANARY)).toMatchObject({ code: 0 });
    expect(await run(['secrets', 'rm', 'file://demo/prod/DB_PASSWORD'])).toMatchObject({ code: 2 });
    expect(await run(['secrets', 'rm', 'file://demo/prod/DB_PASSWORD', '--yes'])).toMatchObject({ code: 0 });
    expect(await run(['secrets', 'get', 'file://demo/prod/DB_PASSWORD'])).toMatchObject({ code: 3 });
  });

  it('keeps history and reads an older version', async () => {
    await run(['secrets', 'set', 'file://demo/dev/ROTATED', '--value-stdin'], 'one');
    await run(['secrets', 'set', 'file://demo/dev/ROTATED', '--value-stdin'], 'two');
    const history = JSON.parse((await run(['secrets', 'history', 'file://demo/dev/ROTATED', '--json'])).stdout) as { ref: string; versions: { version: string; current: boolean }[] };
    expect(history.versions.map((entry) => [entry.version, entry.current])).toEqual([
      ['2', true],
      ['1', false],
    ]);
    expect((await run(['secrets', 'get', 'file://demo/dev/ROTATED', '--version', '1'])).stdout).toBe('one');
  });

  it('says clearly when no keychain is reachable, and writes nothing', async () => {
    const other = await createTempXdg();
    try {
      const noKeychain = { ...other.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/latchkey-bus', DISPLAY: '' };
      const result = await runLatchkey(['secrets', 'set', 'file://demo/dev/K', '--value-stdin'], { env: noKeychain, input: CANARY });
      expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('The OS keychain is not reachable') });
      expect(result.stderr).not.toContain(CANARY);
      const written = await readdir(other.root, { recursive: true });
      expect(written.filter((name) => name.endsWith('.secret'))).toEqual([]);
    } finally {
      await other.cleanup();
    }
  });

  it('manages projects and environments', async () => {
    expect(await run(['projects', 'create', 'shop', '--env', 'dev', 'prod'])).toMatchObject({ code: 0 });
    const listed = JSON.parse((await run(['envs', 'ls', 'shop', '--json'])).stdout) as { name: string; protected: boolean }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'dev', protected: false }), expect.objectContaining({ name: 'prod', protected: true })]);
    expect(await run(['envs', 'update', 'shop', 'prod', '--colour', '#123456'])).toMatchObject({ code: 2 });
    expect(await run(['envs', 'update', 'shop', 'prod', '--colour', '#123456', '--yes'])).toMatchObject({ code: 0 });
    expect(await run(['envs', 'ls', 'nope'])).toMatchObject({ code: 3 });
    expect(await run(['projects', 'rm', 'shop'])).toMatchObject({ code: 2 });
    expect(await run(['projects', 'rm', 'shop', '--yes'])).toMatchObject({ code: 0 });
  });
});
