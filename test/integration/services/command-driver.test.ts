import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLatchkeyError } from '../../../electron/core/errors';
import { createCommandDriver, type CommandSettings } from '../../../electron/core/services/command/command-driver';
import { resolveHookExecutable } from '../../../electron/core/services/command/hook-executable';
import type { RotationTarget, RotatorSettings } from '../../../electron/core/services/driver';
import { captureLogger } from '../../harness/log-capture';

/**
 * The command driver with real executables (bash scripts in a temporary folder): the value reaches the
 * hook on stdin and nowhere else (its arguments and environment are read back from /proc), the context
 * arrives on fd 3 and in LATCHKEY_ROTATION_CONTEXT, and the faults of issue 10 — a hook that hangs,
 * prints the value, exits non-zero, is missing, is not executable, closes stdin early — each end in a
 * clear, typed error without the value.
 */
let dir: string;
const { logger, lines } = captureLogger();
const driver = createCommandDriver({ logger }, { killGraceMs: 300 });
const values: string[] = [];
const value = (label: string) => {
  // Quotes, a dollar, a backslash, a newline, unicode: stdin carries any value exactly.
  const made = `canary-${label}-${Math.random().toString(36).slice(2)} 'q' "$HOME" \\ ü\nline2`;
  values.push(made);
  return made;
};

async function hook(name: string, body: string, mode = 0o755): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/bash\n${body}\n`, { mode });
  await chmod(path, mode);
  return path;
}

function target(command: string, rotator: Partial<RotatorSettings> = {}): RotationTarget<CommandSettings> {
  return {
    service: { name: 'command:hook', kind: 'command', settings: {} },
    rotator: { strategy: 'single', self: false, graceSeconds: 0, command, timeoutSeconds: 20, ...rotator },
    context: { ref: 'file://shop/prod/TEMPORAL_ADMIN_PASSWORD', project: 'shop', environment: 'prod', phase: 'set', incident: true, reportId: 'r-1' },
  };
}

async function failure(work: Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await work;
  } catch (error) {
    if (!isLatchkeyError(error)) throw error;
    return { kind: error.kind, message: error.message };
  }
  throw new Error('expected a failure');
}

/** Running (a zombie left for an init that does not reap counts as gone). */
const alive = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latchkey-hooks-'));
});

afterAll(async () => {
  for (const made of values) expect(lines.join('\n'), 'driver log').not.toContain(made);
  await rm(dir, { recursive: true, force: true });
});

describe('command driver with real hook executables', () => {
  it('runs every phase with the value on stdin only, the context on fd 3 and in the environment, and judges by exit code', async () => {
    // The "service" is a file holding the current password; the hook logs what it was given, never the value.
    const state = join(dir, 'service-password');
    const seen = join(dir, 'seen.jsonl');
    const path = await hook(
      'rotate.sh',
      `value=$(cat; printf x); value=\${value%x}
context=$(cat <&3)
phase=$(printf %s "$context" | sed -E 's/.*"phase":"([a-z]+)".*/\\1/')
{ printf '{"phase":"%s","fd3":%s,"env":%s,"args":%s,' "$phase" "$context" "$LATCHKEY_ROTATION_CONTEXT" "$#"
  printf '"cmdline":"%s","environ":"%s","secretInEnv":"%s"}\\n' "$(tr '\\0' ' ' < /proc/$$/cmdline | base64 -w0)" "$(tr '\\0' ' ' < /proc/$$/environ | base64 -w0)" "\${LATCHKEY_TEST_PARENT_SECRET:-}"; } >> ${seen}
case "$phase" in
  set|rollback) printf %s "$value" > ${state} ;;
  test) [ "$value" = "$(cat ${state})" ] || exit 1 ;;
  finish) ;;
  verify) [ "$value" != "$(cat ${state})" ] || exit 1 ;;
  *) exit 2 ;;
esac`,
    );
    const rotation = target(path);
    const old = value('old');
    const next = value('new');
    await writeFile(state, old);
    process.env.LATCHKEY_TEST_PARENT_SECRET = value('parent-env');
    try {
      expect(await driver.set(rotation, { secret: old }, { secret: next })).toEqual({ secret: next });
      expect(await readFile(state, 'utf8')).toBe(next);
      await driver.test(rotation, { secret: next });
      await driver.retire(rotation, { secret: old }, { secret: next });
      expect(await driver.refuses(rotation, { secret: old })).toBe(true);
      expect(await driver.refuses(rotation, { secret: next })).toBe(false);
      await driver.undo(rotation, { secret: old }, { secret: next });
      expect(await readFile(state, 'utf8')).toBe(old);
      await expect(driver.test(rotation, { secret: next })).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('exited with code 1 during "test"') });
      expect((await driver.check(rotation, { secret: old })).map((step) => step.outcome)).toEqual(['passed', 'skipped']);
    } finally {
      delete process.env.LATCHKEY_TEST_PARENT_SECRET;
    }

    const runs = (await readFile(seen, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { phase: string; fd3: Record<string, unknown>; env: Record<string, unknown>; args: number; cmdline: string; environ: string; secretInEnv: string });
    expect(runs.map((run) => run.phase)).toEqual(['set', 'test', 'finish', 'verify', 'verify', 'rollback', 'test', 'check']);
    for (const run of runs) {
      expect(run.fd3).toEqual({ version: 1, ref: 'file://shop/prod/TEMPORAL_ADMIN_PASSWORD', project: 'shop', environment: 'prod', phase: run.phase, incident: true, reportId: 'r-1' });
      expect(run.env).toEqual(run.fd3);
      expect(run.args).toBe(0);
      expect(run.secretInEnv).toBe('');
      const processText = Buffer.from(run.cmdline, 'base64').toString('utf8') + Buffer.from(run.environ, 'base64').toString('utf8');
      for (const made of values) expect(processText).not.toContain(made.split('\n')[0]);
      expect(processText).not.toMatch(/AWS_|LATCHKEY_REDIS/);
    }
  });

  it('a hook that hangs is stopped at its time limit: SIGTERM, then SIGKILL for one that ignores it — with what it started', async () => {
    const pids = join(dir, 'hang.pids');
    const patient = await hook('hang.sh', `sleep 30 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`);
    const stubborn = await hook('stubborn.sh', `trap '' TERM; echo $$ >> ${pids}; while true; do sleep 0.05; done`);
    for (const path of [patient, stubborn]) {
      const error = await failure(driver.set(target(path, { timeoutSeconds: 1 }), { secret: value('hang-old') }, { secret: value('hang-new') }));
      expect(error).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('did not finish "set" within 1 s') });
    }
    for (const pid of (await readFile(pids, 'utf8')).trim().split('\n').map(Number)) expect(await alive(pid), `process ${pid}`).toBe(false);
  });

  it('a hook that prints the value fails, and its output is neither shown nor kept — even when the value arrives in two pieces', async () => {
    const echo = await hook('echo.sh', 'cat; echo "done" >&2');
    const split = await hook('split.sh', 'value=$(cat); printf "%s" "${value:0:10}"; sleep 0.1; printf "%s\\n" "${value:10}"; exit 0');
    const toStderr = await hook('stderr.sh', 'value=$(cat); echo "setting password to $value" >&2; exit 3');
    for (const path of [echo, split, toStderr]) {
      const next = value('printed');
      const error = await failure(driver.set(target(path), { secret: value('printed-old') }, { secret: next }));
      expect(error.kind).toBe('InvalidInput');
      expect(error.message).toContain('wrote the secret value to its output');
      expect(error.message).not.toContain(next.slice(0, 12));
    }
  });

  it('a hook that exits non-zero fails with its exit code and the end of its stderr', async () => {
    const path = await hook('fails.sh', 'cat > /dev/null; echo "temporal admin API answered 503" >&2; exit 7');
    const error = await failure(driver.set(target(path), { secret: value('nz-old') }, { secret: value('nz-new') }));
    expect(error).toEqual({ kind: 'BackendUnavailable', message: `The rotation hook ${path} exited with code 7 during "set": temporal admin API answered 503` });
  });

  it('a hook that is missing, not executable, a folder or has a missing interpreter is refused before it runs', async () => {
    const missing = join(dir, 'missing.sh');
    expect(await failure(driver.set(target(missing), { secret: 'a' }, { secret: 'b' }))).toMatchObject({ kind: 'NotFound', message: expect.stringContaining('does not exist') });
    const notExecutable = await hook('plain.sh', 'exit 0', 0o644);
    expect(await failure(driver.set(target(notExecutable), { secret: 'a' }, { secret: 'b' }))).toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining(`chmod +x ${notExecutable}`) });
    await mkdir(join(dir, 'folder'));
    expect(await failure(driver.set(target(join(dir, 'folder')), { secret: 'a' }, { secret: 'b' }))).toMatchObject({ kind: 'InvalidInput' });
    const badInterpreter = join(dir, 'bad-interpreter.sh');
    await writeFile(badInterpreter, '#!/nonexistent/interpreter\nexit 0\n', { mode: 0o755 });
    expect(await failure(driver.set(target(badInterpreter), { secret: 'a' }, { secret: 'b' }))).toMatchObject({ kind: 'NotFound', message: expect.stringContaining('interpreter') });

    const steps = await driver.check(target(missing), { secret: 'a' });
    expect(steps.map((step) => `${step.name}:${step.outcome}`)).toEqual(['executable:failed', 'hook check:skipped']);
  });

  it('a hook that closes stdin early is judged by its exit code, and a large value does not break Latchkey (EPIPE)', async () => {
    const closesOk = await hook('closes-ok.sh', 'exec 0<&-; sleep 0.1; exit 0');
    const closesFails = await hook('closes-fails.sh', 'exec 0<&-; exit 4');
    const big = 'x'.repeat(4 * 1024 * 1024);
    await expect(driver.set(target(closesOk), { secret: 'a' }, { secret: big })).resolves.toEqual({ secret: big });
    expect(await failure(driver.set(target(closesFails), { secret: 'a' }, { secret: big }))).toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('code 4') });
  });

  it('verify: a hook that does not handle it (exit 2) makes Latchkey say it cannot tell, never "refused"', async () => {
    const path = await hook('no-verify.sh', 'cat > /dev/null; exit 2');
    expect(await failure(driver.refuses(target(path), { secret: value('verify') }))).toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('cannot tell') });
  });

  it('resolves the executable once: an absolute path, a relative path from the current folder, a bare name on PATH', async () => {
    const path = await hook('on-path-hook', 'exit 0');
    expect(await resolveHookExecutable(path, { cwd: '/', path: '' })).toBe(path);
    expect(await resolveHookExecutable('./on-path-hook', { cwd: dir, path: '' })).toBe(path);
    expect(await resolveHookExecutable('on-path-hook', { cwd: '/', path: `relative/bin:${dir}` })).toBe(path);
    await expect(resolveHookExecutable('on-path-hook', { cwd: dir, path: 'relative/bin' })).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(resolveHookExecutable('', { cwd: dir, path: '' })).rejects.toMatchObject({ kind: 'InvalidInput' });
  });
});
