import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from '../cli/run-cli';

// Issue 15, item 8, as reported against the built CLI: holes in audit tamper detection. An append must
// verify the end it extends and refuse to paper over tampering; a log cut short or deleted together with
// what sat next to it is still noticed through its anchor (in the config folder); and the advice printed
// by `audit verify` works when followed.

describeWithKeyring('audit tamper detection holes (built CLI, real keyring)', () => {
  const keychain = realKeychain();
  let xdg: TempXdg;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
  const log = () => join(xdg.paths.stateDir, 'audit.jsonl');
  // Where earlier versions kept the head (next to the log) and where the anchor is now: a test damages both.
  const anchors = () => [join(xdg.paths.stateDir, 'audit.head.json'), join(xdg.paths.configDir, 'audit-anchor.json')];
  const set = (key: string) => run(['secrets', 'set', `file://shop/dev/${key}`, '--value-stdin'], `value-of-${key}`);
  const dropLastLines = async (count: number) => {
    const lines = (await readFile(log(), 'utf8')).split('\n').filter((line) => line !== '');
    await writeFile(log(), lines.slice(0, -count).map((line) => `${line}\n`).join(''));
  };
  const verify = () => run(['audit', 'verify']);

  beforeEach(async () => {
    xdg = await createTempXdg();
    for (const key of ['A', 'B']) expect((await set(key)).code).toBe(0);
    expect((await verify()).code).toBe(0);
  });
  afterEach(async () => {
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await xdg.cleanup();
  });

  const refusedAndStillTampered = async () => {
    const write = await set('AFTER');
    expect(write.code).toBe(1);
    expect(write.stderr).toContain('was changed outside Latchkey');
    expect(write.stderr).toContain('latchkey audit reset --yes');
    const after = await verify();
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('TAMPERED');
  };

  it('two lines cut and {} written over the anchor: TAMPERED, and an ordinary write does not make it "intact"', async () => {
    await dropLastLines(2);
    for (const anchor of anchors()) await writeFile(anchor, '{}');
    expect((await verify()).code).toBe(3);
    await refusedAndStillTampered();
  });

  it('lines cut and the anchor deleted: TAMPERED, writes refused', async () => {
    await dropLastLines(2);
    for (const anchor of anchors()) await rm(anchor, { force: true });
    expect((await verify()).code).toBe(3);
    await refusedAndStillTampered();
  });

  it('the log and everything next to it in the state folder deleted: TAMPERED (the anchor remembers), writes refused', async () => {
    await rm(log());
    await rm(anchors()[0]!, { force: true });
    const result = await verify();
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/recorded \d+ entries/);
    await refusedAndStillTampered();
  });

  it('a garbage tail over 1 MiB: following the printed advice gives an intact log, and the old one is kept', async () => {
    const original = await readFile(log(), 'utf8');
    await writeFile(log(), `${'x'.repeat(1_500_000)}\n${'y'.repeat(300)}`, { flag: 'a' });
    const tampered = await verify();
    expect(tampered.code).toBe(3);
    await refusedAndStillTampered();

    const advice = /run: (latchkey audit reset --yes)/.exec(tampered.stdout)?.[1];
    expect(advice).toBe('latchkey audit reset --yes');
    const reset = await run(advice!.split(' ').slice(1));
    expect(reset.code).toBe(0);
    expect(await verify()).toMatchObject({ code: 0 });
    expect((await set('D')).code).toBe(0);
    expect(await verify()).toMatchObject({ code: 0 });

    // The old log is kept aside, byte for byte, and the new log's first entry says where.
    const kept = (await readdir(xdg.paths.stateDir)).filter((name) => /^audit\.\d{8}T\d{6}Z\.jsonl$/.test(name));
    expect(kept).toHaveLength(1);
    expect((await readFile(join(xdg.paths.stateDir, kept[0]!), 'utf8')).startsWith(original)).toBe(true);
    const first = JSON.parse((await readFile(log(), 'utf8')).split('\n')[0]!) as { action: string; previous_log: { file: string; seq: number } };
    expect(first).toMatchObject({ action: 'audit.reset', previous_log: { file: kept[0], seq: expect.any(Number) } });
    // Without --yes nothing changes.
    expect((await run(['audit', 'reset'])).code).toBe(2);
  });

  it('an interrupted last line is not tampering: the next write drops it and the log stays intact', async () => {
    await writeFile(log(), '{"v":1,"seq":', { flag: 'a' });
    expect((await set('D')).code).toBe(0);
    expect((await verify()).code).toBe(0);
  });

  it('a log copied back from before (an older state folder) is noticed', async () => {
    const older = await readFile(log(), 'utf8');
    expect((await set('D')).code).toBe(0);
    await writeFile(log(), older);
    expect((await verify()).code).toBe(3);
    await refusedAndStillTampered();
    // Truncated to nothing at all.
    await truncate(log(), 0);
    expect((await verify()).code).toBe(3);
  });
});
