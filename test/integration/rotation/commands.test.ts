import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_FILE, createAuditLog, type AuditLog } from '../../../electron/core/audit/audit-log';
import { auditTailCommand, auditVerifyCommand } from '../../../electron/core/audit/commands';
import { envDiffCommand, envExportCommand, envImportCommand } from '../../../electron/core/environments/commands';
import { createOutputFiles } from '../../../electron/core/envfiles/private-output-file';
import { environmentOverBackend, type EnvironmentView } from '../../../electron/core/environments/environment-view';
import { createFingerprinter } from '../../../electron/core/environments/fingerprint';
import { FileLocks } from '../../../electron/core/fs/locks';
import { historyCommand, incidentRotateCommand, rollbackCommand, rotateCommand, rotateDueCommand } from '../../../electron/core/rotation/commands';
import { countDue, listDue } from '../../../electron/core/rotation/due';
import { createIncidentReportStore } from '../../../electron/core/rotation/incident-store';
import { ROTATION_METADATA_KEY } from '../../../electron/core/rotation/policy';
import { VersionedMemoryBackend } from '../../doubles/versioned-memory-backend';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

const DAY = 24 * 60 * 60 * 1000;
const CANARY = 'command-canary-';

describe('command cores: JSON shapes, texts and exit codes (versioned backend double, real files)', () => {
  let xdg: TempXdg;
  let audit: AuditLog;
  let backend: VersionedMemoryBackend;
  let clock: number;
  let dev: EnvironmentView;
  let prod: EnvironmentView;
  const now = () => new Date(clock);

  beforeEach(async () => {
    xdg = await createTempXdg();
    clock = Date.parse('2025-01-01T00:00:00Z');
    audit = createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks(), user: 'ops', now });
    backend = new VersionedMemoryBackend({ now });
    dev = environmentOverBackend({ project: 'shop', name: 'dev', backend, prefix: 'shop/dev/', rotationPeriodDays: 30 });
    prod = environmentOverBackend({ project: 'shop', name: 'prod', protected: true, backend, prefix: 'shop/prod/' });
  });
  afterEach(() => xdg.cleanup());

  const deps = () => ({ resolveBackend: () => backend, audit, now, outputFiles: createOutputFiles(xdg.paths) });

  it('rotate: one row per ref {ref, ok, version?}, no values, exit 3 when a ref does not exist', async () => {
    await backend.set('shop/dev/A', `${CANARY}a`);
    const output = await rotateCommand(deps(), ['vault://shop/dev/A', 'vault://shop/dev/NOPE'], { policy: 'hex-24' });
    expect(output.json).toEqual([
      { ref: 'vault://shop/dev/A', ok: true, version: '2' },
      { ref: 'vault://shop/dev/NOPE', ok: false, error: { kind: 'NotFound', message: expect.stringContaining('does not exist') } },
    ]);
    expect(output.exitCode).toBe(3);
    expect((await backend.get('shop/dev/A')).value).toMatch(/^[0-9a-f]{24}$/);
    expect(output.text).toContain('rotated  vault://shop/dev/A  → version 2');
    expect(JSON.stringify(output)).not.toContain(CANARY);
    expect((await backend.get('shop/dev/A')).value).not.toBe('');
    expect(JSON.stringify(output)).not.toContain((await backend.get('shop/dev/A')).value);
    await expect(rotateCommand(deps(), ['vault://shop/dev/A'], { policy: 'bogus' })).rejects.toMatchObject({ kind: 'InvalidInput' });
  });

  it('rollback and history: versions with times, the current one marked, no values', async () => {
    await backend.set('shop/dev/A', `${CANARY}a`);
    clock += DAY;
    await rotateCommand(deps(), ['vault://shop/dev/A']);
    const rolled = await rollbackCommand(deps(), 'vault://shop/dev/A');
    expect(rolled).toMatchObject({ json: { ref: 'vault://shop/dev/A', ok: true, version: '3', restored_from: '1' }, exitCode: 0 });
    expect((await backend.get('shop/dev/A')).value).toBe(`${CANARY}a`);
    const history = await historyCommand(deps(), 'vault://shop/dev/A');
    expect(history.json).toEqual({
      ref: 'vault://shop/dev/A',
      versions: [
        { version: '3', created_at: '2025-01-02T00:00:00.000Z', state: 'enabled', current: true },
        { version: '2', created_at: '2025-01-02T00:00:00.000Z', state: 'enabled', current: false },
        { version: '1', created_at: '2025-01-01T00:00:00.000Z', state: 'enabled', current: false },
      ],
    });
    expect(history.text.split('\n')[0]).toMatch(/^\* 3\s+2025-01-02T00:00:00.000Z {2}enabled$/);
    expect(JSON.stringify([rolled, history])).not.toContain(CANARY);
  });

  it('rotate --due rotates exactly the overdue and due-soon secrets; the schedule counts them per environment', async () => {
    await backend.set('shop/dev/OLD', 'x'); // 40 days old at check time: overdue (30-day environment period)
    await backend.set('shop/dev/MANUAL', 'x', { metadata: { [ROTATION_METADATA_KEY]: 'manual' } });
    clock += 15 * DAY;
    await backend.set('shop/dev/SOON', 'x'); // 25 days old: due soon (window: 6 days)
    await backend.set('shop/dev/WEEKLY', 'x', { metadata: { [ROTATION_METADATA_KEY]: 'password-32-p7' } }); // own period: overdue
    clock += 20 * DAY;
    await backend.set('shop/dev/FRESH', 'x'); // 5 days old: ok
    clock += 5 * DAY;

    const before = await listDue(deps(), [dev]);
    expect(Object.fromEntries(before.map((item) => [item.key, item.status]))).toEqual({ FRESH: 'ok', MANUAL: 'overdue', OLD: 'overdue', SOON: 'due-soon', WEEKLY: 'overdue' });
    expect(countDue(before)).toEqual([{ project: 'shop', environment: 'dev', overdue: 3, dueSoon: 1 }]);

    const output = await rotateDueCommand(deps(), [dev], { now });
    expect(output.json.map((item) => [item.ref, item.ok])).toEqual([
      ['vault://shop/dev/MANUAL', false],
      ['vault://shop/dev/OLD', true],
      ['vault://shop/dev/SOON', true],
      ['vault://shop/dev/WEEKLY', true],
    ]);
    expect(output.json[0]?.error?.message).toMatch(/rotated by hand/i);
    expect(output.exitCode).toBe(3);
    expect((await backend.describe('shop/dev/FRESH')).versions).toHaveLength(1);
    const after = await listDue(deps(), [dev]);
    expect(after.filter((item) => item.status !== 'ok').map((item) => item.key)).toEqual(['MANUAL']);
  });

  it('incident rotate: needs confirmation, prints a report summary, exit 0 when complete', async () => {
    await backend.set('shop/prod/A', 'x');
    await backend.set('shop/prod/B', 'x');
    const deps2 = { ...deps(), reports: createIncidentReportStore(xdg.paths.stateDir), user: 'ops' };
    await expect(incidentRotateCommand(deps2, [prod])).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    const output = await incidentRotateCommand(deps2, [prod], { confirmation: { typedNames: ['prod'] } });
    expect(output.exitCode).toBe(0);
    expect(output.json).toMatchObject({
      status: 'completed',
      counts: { total: 2, rotated: 2, failed: 0 },
      items: [
        { ref: 'vault://shop/prod/A', environment: 'prod', status: 'rotated', version: '2' },
        { ref: 'vault://shop/prod/B', environment: 'prod', status: 'rotated', version: '2' },
      ],
      report: { json: expect.stringContaining(`${output.json.report_id}.json`), text: expect.stringContaining('.txt') },
    });
    expect(await readFile(output.json.report.text, 'utf8')).toContain('Status: COMPLETED — 2 rotated');
  });

  it('env diff, export and import commands', async () => {
    await backend.set('shop/dev/A', `${CANARY}1`);
    await backend.set('shop/prod/A', `${CANARY}2`);
    await backend.set('shop/prod/B', `${CANARY}3`);
    const diff = await envDiffCommand({ fingerprinter: createFingerprinter() }, dev, prod);
    expect(diff.json).toEqual({ missing_in_a: ['B'], missing_in_b: [], different: ['A'], same: [] });
    expect(diff.text).toBe('missing in dev (1):\n  B\ndifferent (1):\n  A');

    const exported = await envExportCommand(deps(), prod);
    expect(exported.stdout).toContain(`A='${CANARY}2'`);
    const out = join(xdg.root, 'prod.env');
    expect((await envExportCommand(deps(), prod, { out })).text).toBe(`Wrote 2 secret(s) to ${out} (mode 600). Do not commit it.`);

    const preview = await envImportCommand(deps(), dev, exported.stdout ?? '');
    expect(preview.json).toEqual({ applied: false, preview: { added: ['B'], changed: ['A'], unchanged: [], invalid: [], duplicates: [], ignored: [] } });
    const applied = await envImportCommand(deps(), dev, exported.stdout ?? '', { confirmation: { assumeYes: true } });
    expect(applied.exitCode).toBe(0);
    expect((await envDiffCommand({ fingerprinter: createFingerprinter() }, dev, prod)).json).toEqual({ missing_in_a: [], missing_in_b: [], different: [], same: ['A', 'B'] });
    expect(JSON.stringify([diff, preview, applied])).not.toContain(CANARY);
  });

  it('audit verify exits 0 when intact and 3 when a line was edited by hand; tail is readable', async () => {
    await audit.append({ action: 'secret.write', outcome: 'ok', ref: 'vault://shop/dev/A', project: 'shop', environment: 'dev' });
    await audit.append({ action: 'env.export', outcome: 'ok', project: 'shop', environment: 'dev', counts: { total: 2 } });
    expect((await auditVerifyCommand(audit)).exitCode).toBe(0);
    const tail = await auditTailCommand(audit, 5);
    expect(tail.text.split('\n')).toEqual([
      '2025-01-01T00:00:00.000Z  #1  ops  secret.write ok  shop/dev  vault://shop/dev/A',
      '2025-01-01T00:00:00.000Z  #2  ops  env.export ok  shop/dev total=2',
    ]);
    const path = join(xdg.paths.stateDir, AUDIT_FILE);
    await writeFile(path, (await readFile(path, 'utf8')).replace('"environment":"dev","hash"', '"environment":"prod","hash"'));
    const verdict = await auditVerifyCommand(audit);
    expect(verdict.exitCode).toBe(3);
    expect(verdict.text).toContain('line 1: edited — Line 1 was edited');
  });
});
