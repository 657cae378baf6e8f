import { randomBytes, randomInt } from 'node:crypto';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { FileLocks } from '../../../electron/core/fs/locks';
import { renderReportText } from '../../../electron/core/rotation/incident-report';
import { incidentReportSchema } from '../../../shared/incident-report';
import { INCIDENTS_DIR } from '../../../electron/core/rotation/incident-store';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey, startLatchkey } from './run-cli';

// Incidents and the schedule on the built `latchkey`, real files and the real keyring, under what the
// adversarial review (issue 15) did to them: a damaged secret file (item 1), Ctrl-C at random moments
// (item 4), two re-runs of one report at once (item 11), and a SIGKILL mid-run (item 17).

const CANARY = `incident-safety-${randomBytes(4).toString('hex')}`;
const DAY = 24 * 60 * 60 * 1000;

describeWithKeyring('incident safety on the built CLI (real files, real keyring)', () => {
  let xdg: TempXdg;
  let core: Core;
  const run = (args: string[]) => runLatchkey(args, { env: xdg.env });
  const incidentsDir = () => join(xdg.paths.stateDir, INCIDENTS_DIR);
  const reportIds = async () =>
    (await readdir(incidentsDir()).catch(() => [] as string[])).filter((name) => /^\d{8}T\d{6}Z-[0-9a-f]{8}\.json$/.test(name)).map((name) => name.slice(0, -5));
  const readReport = async (id: string) => incidentReportSchema.parse(JSON.parse(await readFile(join(incidentsDir(), `${id}.json`), 'utf8')));
  const closingEntries = async (id: string) => (await core.audit.query({ actions: ['incident.run'], limit: 10_000 })).filter((entry) => entry.report_id === id).map((entry) => entry.outcome);

  /** Secrets with a generator policy the person chose, so that an incident rotates them. */
  const seed = async (project: string, environment: string, count: number, now?: Date) => {
    const writer = now === undefined ? core : createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, now: () => now });
    try {
      for (let index = 0; index < count; index += 1) {
        const key = `KEY_${String(index).padStart(2, '0')}`;
        await writer.secrets.create(project, environment, key, `${CANARY}-${project}-${environment}-${index}`, { confirmed: true });
        await writer.rotation.setPolicy(project, environment, key, { generator: 'password' }, { confirmed: true });
      }
    } finally {
      if (writer !== core) await writer.close();
    }
  };

  /** The id of a report that was not there before, once the run has written it (or undefined once the process ended). */
  const newReport = async (before: Set<string>, ended: { done: boolean }) => {
    for (;;) {
      const id = (await reportIds()).find((candidate) => !before.has(candidate));
      if (id !== undefined || ended.done) return id;
      await sleep(5);
    }
  };

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env: xdg.env });
  });
  afterAll(async () => {
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('one damaged secret file: secrets ls marks it, the incident rotates everything else, rotate --due and env diff go on, env export refuses naming it', async () => {
    await core.projects.createProject('dmg');
    for (const environment of ['dev', 'stage']) await core.projects.createEnvironment('dmg', environment);
    const past = new Date(Date.now() - 100 * DAY);
    for (const environment of ['dev', 'stage']) await seed('dmg', environment, 3, past);
    const { id } = (await core.projects.find('dmg', 'dev')).environment;
    await appendFile(join(xdg.paths.stateDir, 'store', id, 'KEY_01.secret'), 'x'); // printf x >> KEY_01.secret

    const listed = await run(['secrets', 'ls', 'file://dmg/', '--json']);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { ref: string; version?: string; damaged?: string }[];
    expect(rows).toHaveLength(6);
    expect(rows.find((row) => row.ref === 'file://dmg/dev/KEY_01')).toEqual({ ref: 'file://dmg/dev/KEY_01', damaged: expect.stringContaining('Secret file://dmg/dev/KEY_01 is damaged') });
    expect(rows.filter((row) => row.version === '1')).toHaveLength(5);
    expect((await run(['secrets', 'ls', 'file://dmg/dev/'])).stdout).toMatch(/file:\/\/dmg\/dev\/KEY_01 {2}DAMAGED {2}Secret file:\/\/dmg\/dev\/KEY_01 is damaged/);

    const diff = await run(['env', 'diff', '--project', 'dmg', '--env', 'dev', '--env', 'stage', '--json']);
    expect(diff.code).toBe(1);
    expect(JSON.parse(diff.stdout)).toEqual({ missing_in_a: [], missing_in_b: [], different: ['KEY_00', 'KEY_02'], same: [], unreadable: [{ key: 'KEY_01', environment: 'dev', message: expect.stringContaining('is damaged') }] });

    const exported = await run(['env', 'export', '--project', 'dmg', '--env', 'dev']);
    expect(exported).toMatchObject({ code: 3, stdout: '', stderr: expect.stringContaining('KEY_01 in dmg/dev is damaged and cannot be read, so nothing was exported') });

    const due = await run(['rotate', '--due', '--project', 'dmg', '--json']);
    expect(due.code).toBe(3);
    const dueRows = JSON.parse(due.stdout) as { ref: string; ok: boolean; error?: { message: string } }[];
    expect(dueRows.map((row) => [row.ref, row.ok])).toEqual([
      ['file://dmg/dev/KEY_00', true],
      ['file://dmg/dev/KEY_01', false],
      ['file://dmg/dev/KEY_02', true],
      ['file://dmg/stage/KEY_00', true],
      ['file://dmg/stage/KEY_01', true],
      ['file://dmg/stage/KEY_02', true],
    ]);
    expect(dueRows[1]?.error?.message).toContain('is damaged');

    const incident = await run(['incident', 'rotate', '--project', 'dmg', '--env', 'dev', '--env', 'stage', '--yes', '--json']);
    expect(incident.code).toBe(1);
    const report = JSON.parse(incident.stdout) as { status: string; counts: { rotated: number; failed: number }; items: { ref: string; status: string; error?: { message: string } }[] };
    expect(report).toMatchObject({ status: 'partial', counts: { rotated: 5, failed: 1 } });
    expect(report.items.find((item) => item.ref === 'file://dmg/dev/KEY_01')).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('is damaged') } });
    for (const key of ['KEY_00', 'KEY_01', 'KEY_02']) expect((await core.secrets.history('dmg', 'stage', key)).map((version) => version.version)).toEqual(['3', '2', '1']);
    expect(`${listed.stdout}${diff.stdout}${due.stdout}${incident.stdout}`).not.toContain(CANARY);
  });

  it('Ctrl-C at a random moment of `incident rotate`, 20 times in a row, always behaves like Cancel: the process ends by itself, the report and the audit log close the run', async () => {
    await core.projects.createProject('ctrlc');
    await core.projects.createEnvironment('ctrlc', 'dev');
    await seed('ctrlc', 'dev', 24);
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const before = new Set(await reportIds());
      const started = startLatchkey(['incident', 'rotate', '--project', 'ctrlc', '--env', 'dev', '--yes', '--json', '--concurrency', '1'], { env: xdg.env });
      const ended = { done: false };
      const exited = started.exited.finally(() => (ended.done = true));
      const id = await newReport(before, ended);
      if (!ended.done) {
        await sleep(randomInt(0, 250));
        started.child.kill('SIGINT');
      }
      const result = await exited;
      const label = `attempt ${attempt}: ${JSON.stringify({ ...result, stdout: result.stdout.slice(0, 300) })}`;
      expect(result.signal, label).toBeNull();
      expect([0, 1], label).toContain(result.code);
      expect(id, label).toBeDefined();
      const printed = JSON.parse(result.stdout) as { report_id: string; status: string };
      expect(printed.report_id, label).toBe(id);
      expect(['completed', 'cancelled'], label).toContain(printed.status);
      const saved = await readReport(id as string);
      expect(saved.status, label).toBe(printed.status);
      expect(saved.runs.at(-1)?.finished_at, label).toBeDefined();
      expect(await closingEntries(id as string), label).toEqual(['started', printed.status === 'completed' ? 'ok' : 'cancelled']);
      expect(result.stderr, label).not.toMatch(/\n\s+at /);
      outcomes.push(printed.status);
    }
    console.log(`[ctrl-c] 20 interrupted runs of the built CLI: ${outcomes.filter((outcome) => outcome === 'cancelled').length} cancelled, ${outcomes.filter((outcome) => outcome === 'completed').length} completed before the signal`);
    // The interruptions landed mid-run (this exercises cancelling, not only finishing).
    expect(outcomes).toContain('cancelled');
    expect((await core.audit.verify()).intact).toBe(true);
  }, 300_000);

  it('two `incident resume` runs of one report at once: the second is refused with the pid, host and start of the first; every secret is rotated once', async () => {
    await core.projects.createProject('race');
    await core.projects.createEnvironment('race', 'prod');
    await seed('race', 'prod', 12);
    const controller = new AbortController();
    const first = await core.incidents.run(
      { environments: [{ project: 'race', environment: 'prod' }], signal: controller.signal },
      { confirmation: { assumeYes: true }, concurrency: 1, onProgress: (event) => (event.done >= 2 ? controller.abort() : undefined) },
    );
    expect(first.report.status).toBe('cancelled');
    const left = first.report.items.filter((item) => item.status !== 'rotated');
    // Hold one secret that is left (as another writer would), so the first re-run is still at work when the second starts.
    const { id: environmentId } = (await core.projects.find('race', 'prod')).environment;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = new FileLocks().withLock(join(xdg.paths.stateDir, 'store', environmentId, `${(left.at(-1) as { key: string }).key}.secret`), () => gate);

    const a = startLatchkey(['incident', 'resume', first.report.id, '--yes', '--json'], { env: xdg.env });
    const owner = join(incidentsDir(), `${first.report.id}.run.owner.json`);
    while (!(await readFile(owner, 'utf8').catch(() => ''))) await sleep(10);
    const b = await run(['incident', 'resume', first.report.id, '--yes', '--json']);
    expect(b.code).toBe(1);
    expect(JSON.parse(b.stderr)).toEqual({
      error: { kind: 'Conflict', retryAfterMs: 5000, message: expect.stringMatching(new RegExp(`^Incident ${first.report.id} is being run by process ${a.child.pid} on ${hostname()}, since \\d{4}-`)) },
    });
    release();
    await held;
    const resumed = await a.exited;
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', counts: { rotated: 12 } });
    for (const item of first.report.items) expect((await core.secrets.history('race', 'prod', item.key)).length, item.key).toBe(2);
  });

  it('after SIGKILL mid-run, the re-run takes over the dead run\'s lock and finishes; the report\'s .json and .txt agree and no temporary file is left', async () => {
    await core.projects.createProject('kill');
    await core.projects.createEnvironment('kill', 'dev');
    await seed('kill', 'dev', 24);
    const before = new Set(await reportIds());
    const started = startLatchkey(['incident', 'rotate', '--project', 'kill', '--env', 'dev', '--yes', '--json', '--concurrency', '1'], { env: xdg.env });
    const ended = { done: false };
    const exited = started.exited.finally(() => (ended.done = true));
    const id = (await newReport(before, ended)) as string;
    await sleep(randomInt(20, 200));
    started.child.kill('SIGKILL');
    await exited;

    const resumed = await run(['incident', 'resume', id, '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', counts: { rotated: 24, failed: 0 } });
    const saved = await readReport(id);
    expect(await readFile(join(incidentsDir(), `${id}.txt`), 'utf8')).toBe(renderReportText(saved));
    expect((await readdir(incidentsDir())).filter((name) => name.includes(id)).sort()).toEqual([`${id}.json`, `${id}.txt`]);
    expect((await run(['incident', 'show', id])).stdout).toBe(renderReportText(saved));
  });
});
