import { spawn } from 'node:child_process';
import { lstat, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_ANCHOR_FILE, AUDIT_FILE, createAuditLog, LEGACY_HEAD_FILE, type AuditLog } from '../../../electron/core/audit/audit-log';
import { canonicalJson, entryHash, type AuditEntry } from '../../../electron/core/audit/entry';
import { FileLocks } from '../../../electron/core/fs/locks';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

const CANARY = 'canary-7f3a9c-value-must-not-appear';

describe('audit trail on real files', () => {
  let xdg: TempXdg;
  let audit: AuditLog;
  let clock: number;
  const logFile = () => join(xdg.paths.stateDir, AUDIT_FILE);
  const anchorFile = () => join(xdg.paths.configDir, AUDIT_ANCHOR_FILE);
  const lines = async () => (await readFile(logFile(), 'utf8')).split('\n').filter((line) => line !== '');
  const writeLines = (items: string[]) => writeFile(logFile(), items.map((line) => `${line}\n`).join(''));

  beforeEach(async () => {
    xdg = await createTempXdg();
    clock = Date.parse('2025-03-01T10:00:00Z');
    audit = createAuditLog({ stateDir: xdg.paths.stateDir, anchorDir: xdg.paths.configDir, locks: new FileLocks(), user: 'alice', now: () => new Date((clock += 1000)) });
  });
  afterEach(() => xdg.cleanup());

  const appendFive = async () => {
    for (let index = 1; index <= 5; index += 1) {
      await audit.append({ action: 'secret.rotate', outcome: 'ok', ref: `file://demo/prod/KEY_${index}`, project: 'demo', environment: 'prod', version: String(index) });
    }
  };

  it('appends hash-chained entries to a 0600 file and verifies them as intact', async () => {
    await appendFive();
    expect((await lstat(logFile())).mode & 0o777).toBe(0o600);
    expect((await lstat(anchorFile())).mode & 0o777).toBe(0o600);
    const entries = (await lines()).map((line) => JSON.parse(line) as AuditEntry);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    for (const [index, entry] of entries.entries()) {
      expect(entry.hash).toBe(entryHash(entry));
      expect(entry.prev).toBe(index === 0 ? '0'.repeat(64) : entries[index - 1]?.hash);
      expect(entry.user).toBe('alice');
    }
    expect(await audit.verify()).toMatchObject({ intact: true, entries: 5, problems: [], last: { seq: 5 } });
  });

  it('detects an edited line and says which', async () => {
    await appendFive();
    const all = await lines();
    all[2] = (all[2] ?? '').replace('"outcome":"ok"', '"outcome":"failed"');
    await writeLines(all);
    const result = await audit.verify();
    expect(result.intact).toBe(false);
    expect(result.problems).toEqual([{ line: 3, kind: 'edited', message: expect.stringContaining('Line 3 was edited') }]);
  });

  it('detects a line rewritten with a freshly computed hash, through the next line’s link', async () => {
    await appendFive();
    const all = await lines();
    const forged = JSON.parse(all[1] ?? '') as AuditEntry;
    forged.outcome = 'failed';
    forged.hash = entryHash(forged);
    all[1] = canonicalJson(forged);
    await writeLines(all);
    const result = await audit.verify();
    expect(result.problems[0]).toMatchObject({ line: 2, kind: 'edited', message: expect.stringContaining('Line 2 was rewritten') });
  });

  it('detects a removed line in the middle', async () => {
    await appendFive();
    const all = await lines();
    all.splice(2, 1);
    await writeLines(all);
    const result = await audit.verify();
    expect(result.problems).toEqual([{ line: 3, kind: 'removed', message: 'Entry #3 is missing before line 3: a line was removed.' }]);
  });

  it('detects reordered lines and names both places', async () => {
    await appendFive();
    const all = await lines();
    [all[1], all[3]] = [all[3] ?? '', all[1] ?? ''];
    await writeLines(all);
    const result = await audit.verify();
    expect(result.intact).toBe(false);
    expect(result.problems[0]).toMatchObject({ line: 2, kind: 'reordered', message: expect.stringContaining('entry #2 is at line 4') });
    expect(result.problems.every((problem) => problem.kind === 'reordered')).toBe(true);
  });

  it('detects a duplicated line', async () => {
    await appendFive();
    const all = await lines();
    all.splice(4, 0, all[1] ?? '');
    await writeLines(all);
    expect((await audit.verify()).problems).toEqual([expect.objectContaining({ line: 5, kind: 'reordered' })]);
  });

  it('detects a line cut off in the middle', async () => {
    await appendFive();
    const size = (await lstat(logFile())).size;
    await truncate(logFile(), size - 40);
    const result = await audit.verify();
    expect(result.problems).toEqual([
      { line: 5, kind: 'truncated', message: expect.stringContaining('Line 5 is cut off') },
      expect.objectContaining({ line: 6, kind: 'removed' }),
    ]);
  });

  it('detects whole lines removed from the end, through the anchor', async () => {
    await appendFive();
    const all = await lines();
    await writeLines(all.slice(0, 3));
    const result = await audit.verify();
    expect(result.problems).toEqual([
      { line: 4, kind: 'removed', message: 'The log ends at entry #3, but Latchkey recorded entry #5 as the last one: lines were removed from the end.' },
    ]);
  });

  it('detects an emptied log', async () => {
    await appendFive();
    await writeFile(logFile(), '');
    expect((await audit.verify()).problems).toEqual([expect.objectContaining({ kind: 'removed', message: expect.stringContaining('emptied') })]);
  });

  it('a log kept by an earlier version (its head next to it, no anchor yet) verifies and moves its head into the anchor on the next append', async () => {
    await appendFive();
    const head = await readFile(anchorFile(), 'utf8');
    await rm(anchorFile());
    await writeFile(join(xdg.paths.stateDir, LEGACY_HEAD_FILE), head, { mode: 0o600 });
    expect(await audit.verify()).toMatchObject({ intact: true, entries: 5 });
    expect((await audit.append({ action: 'secret.write', outcome: 'ok', ref: 'file://demo/prod/NEW' })).seq).toBe(6);
    expect(JSON.parse(await readFile(anchorFile(), 'utf8'))).toMatchObject({ seq: 6 });
    expect(await readdir(xdg.paths.stateDir)).not.toContain(LEGACY_HEAD_FILE);
    expect(await audit.verify()).toMatchObject({ intact: true, entries: 6 });
  });

  it('refuses to append after lines were removed from the end; reset keeps the old log aside and starts an intact one', async () => {
    await appendFive();
    await writeLines((await lines()).slice(0, 3));
    await expect(audit.append({ action: 'secret.write', outcome: 'ok', ref: 'file://demo/prod/NEW' })).rejects.toMatchObject({
      kind: 'PermissionDenied',
      message: expect.stringContaining('it ends at entry #3, but Latchkey recorded entry #5'),
    });
    expect(await lines()).toHaveLength(3);
    const reset = await audit.reset();
    expect(reset.entry).toMatchObject({ seq: 1, action: 'audit.reset', previous_log: { seq: 5 } });
    expect((await readFile(reset.archived!, 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
    expect((await audit.append({ action: 'secret.write', outcome: 'ok', ref: 'file://demo/prod/NEW' })).seq).toBe(2);
    expect(await audit.verify()).toMatchObject({ intact: true, entries: 2 });
  });

  it('detects a line that is not JSON', async () => {
    await appendFive();
    const all = await lines();
    all[0] = '{not json';
    await writeLines(all);
    expect((await audit.verify()).problems[0]).toMatchObject({ line: 1, kind: 'malformed' });
  });

  it('an append interrupted mid-line (never acknowledged) is dropped by the next append, which leaves an intact log', async () => {
    await appendFive();
    await writeFile(logFile(), '{"action":"secret.wri', { flag: 'a' });
    expect((await audit.verify()).problems).toEqual([expect.objectContaining({ line: 6, kind: 'truncated' })]);
    const appended = await audit.append({ action: 'secret.delete', outcome: 'ok', ref: 'file://demo/prod/KEY_9' });
    expect(appended.seq).toBe(6);
    expect(await audit.verify()).toMatchObject({ intact: true, entries: 6, lines: 6 });
  });

  it('refuses an event that does not match the closed schema, writing nothing (no place for a value)', async () => {
    await appendFive();
    const before = await readFile(logFile(), 'utf8');
    const withValue = { action: 'secret.write', outcome: 'ok', ref: 'file://demo/prod/A', value: CANARY } as never;
    await expect(audit.append(withValue)).rejects.toMatchObject({ kind: 'Internal' });
    const withSpaceInRef = { action: 'secret.write', outcome: 'ok', ref: `file://demo/prod/A ${CANARY}` } as never;
    await expect(audit.append(withSpaceInRef)).rejects.toMatchObject({ kind: 'Internal' });
    const after = await readFile(logFile(), 'utf8');
    expect(after).toBe(before);
    expect(after).not.toContain(CANARY);
  });

  it('tail and query return entries oldest first, filtered by action, environment and time', async () => {
    await appendFive();
    await audit.append({ action: 'env.export', outcome: 'ok', project: 'demo', environment: 'dev', counts: { total: 3 } });
    expect((await audit.tail(2)).map((entry) => entry.seq)).toEqual([5, 6]);
    expect((await audit.tail(100)).length).toBe(6);
    expect((await audit.query({ environment: 'dev' })).map((entry) => entry.action)).toEqual(['env.export']);
    expect((await audit.query({ actions: ['secret.rotate'], limit: 2 })).map((entry) => entry.seq)).toEqual([4, 5]);
    const all = await audit.query();
    const third = new Date(all[2]?.time ?? '');
    const fourth = new Date(all[3]?.time ?? '');
    expect((await audit.query({ since: third, until: fourth })).map((entry) => entry.seq)).toEqual([3, 4]);
  });

  it('pages through a real log of 3,000 entries, read as a stream: each page right, the total of all matches', async () => {
    await Promise.all(
      Array.from({ length: 3000 }, (_, index) => audit.append({ action: index % 3 === 0 ? 'secret.rotate' : 'secret.reveal', outcome: 'ok', ref: `file://demo/prod/KEY_${index + 1}`, project: 'demo', environment: 'prod' })),
    );
    expect((await lines()).length).toBe(3000);
    const seen: number[] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await audit.page({ limit: 700, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
      expect(page.total).toBe(3000);
      expect(page.entries.length).toBeLessThanOrEqual(700);
      if (page.entries.length === 0) break;
      seen.unshift(...page.entries.map((entry) => entry.seq));
      beforeSeq = page.entries[0]!.seq;
    }
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, index) => index + 1));
    const rotations = await audit.page({ limit: 10, actions: ['secret.rotate'] });
    expect(rotations.total).toBe(1000);
    expect(rotations.entries.map((entry) => entry.ref)).toEqual(Array.from({ length: 10 }, (_, index) => `file://demo/prod/KEY_${2971 + index * 3}`));
    expect(await audit.verify()).toMatchObject({ intact: true, entries: 3000 });
  });

  it('keeps one unbroken chain when appends race inside this process and from two other processes (2 × 200)', async () => {
    const worker = join(__dirname, 'append-worker.ts');
    const jiti = join(process.cwd(), 'node_modules', 'jiti', 'lib', 'jiti-cli.mjs');
    const run = (environment: string) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [jiti, worker, xdg.paths.stateDir, '200', environment, xdg.paths.configDir], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', reject);
        child.on('exit', resolve);
      });
    const local = Promise.all(Array.from({ length: 25 }, (_, index) => audit.append({ action: 'secret.reveal', outcome: 'ok', ref: `file://demo/dev/K${index}` })));
    const [codeA, codeB] = await Promise.all([run('w1'), run('w2'), local]);
    expect([codeA, codeB]).toEqual([0, 0]);
    const result = await audit.verify();
    expect(result).toMatchObject({ intact: true, entries: 425, last: { seq: 425 } });
    const environments = (await audit.query({ limit: 1000 })).map((entry) => entry.environment ?? 'local');
    expect(environments.filter((name) => name === 'w1')).toHaveLength(200);
    expect(environments.filter((name) => name === 'w2')).toHaveLength(200);
  });
});
