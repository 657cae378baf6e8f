import { randomBytes } from 'node:crypto';
import { REPORT_ID } from '../audit/entry';
import { invalidInput, isLatchkeyError, LatchkeyError } from '../errors';
import { targetOfTemporary } from '../fs/atomic-write';
import { PrivateTree } from '../fs/private-files';
import { incidentReportSchema, type IncidentReport, type ReportCounts, type ReportStatus } from '../../../shared/incident-report';
import { renderReportText, reportStatusOf } from './incident-report';
import { isReportLocked, lockReport, type LockReportOptions, type ReportLock } from './report-lock';

/**
 * Incident reports under `<state>/incidents/`: `<id>.json` and `<id>.txt`, private files written
 * atomically. Ids start with the UTC time, so they sort by age. The JSON is the record; the text is
 * rendered from it, so what Latchkey shows always agrees with it. A run killed part-way (SIGKILL) can leave
 * the text one save behind, a temporary file of an unfinished write, and a status of "running": the
 * next look at the report while no run holds it tidies all three.
 */
export const INCIDENTS_DIR = 'incidents';

export interface IncidentSummary {
  id: string;
  created_at: string;
  updated_at: string;
  status: ReportStatus;
  environments: IncidentReport['environments'];
  counts: ReportCounts;
}

export interface IncidentReportStore {
  newId(now: Date): string;
  save(report: IncidentReport): Promise<void>;
  open(id: string): Promise<IncidentReport>;
  /** The readable text of a saved report. */
  openText(id: string): Promise<string>;
  /** Newest first. Files that do not parse are left out (and logged by the caller if it cares). */
  list(): Promise<IncidentSummary[]>;
  /** Paths of a report's files, for "open in editor". */
  pathsOf(id: string): { json: string; text: string };
  /** Holds the report for one run (or one change) at a time; refused with who holds it. */
  lock(id: string, options?: LockReportOptions): Promise<ReportLock>;
}


export function createIncidentReportStore(stateDir: string): IncidentReportStore {
  const tree = new PrivateTree(stateDir);
  const checkId = (id: string) => {
    if (!REPORT_ID.test(id)) throw invalidInput(`"${id.slice(0, 40)}" is not an incident report id (they look like 20250301T101500Z-1a2b3c4d).`);
  };
  const read = async (id: string): Promise<IncidentReport> => {
    checkId(id);
    let json: unknown;
    try {
      json = JSON.parse((await tree.read([INCIDENTS_DIR, `${id}.json`])).toString('utf8'));
    } catch (error) {
      if (error instanceof LatchkeyError) {
        if (error.kind === 'NotFound') throw new LatchkeyError('NotFound', `There is no incident report ${id}. "latchkey incident list" shows the saved ones.`);
        throw error;
      }
      json = undefined;
    }
    const parsed = incidentReportSchema.safeParse(json);
    if (!parsed.success) {
      throw invalidInput(`The incident report ${tree.resolve(INCIDENTS_DIR, `${id}.json`)} is damaged or was edited; it cannot be used for a re-run.`, { cause: parsed.error });
    }
    return parsed.data;
  };
  const save = async (report: IncidentReport) => {
    checkId(report.id);
    await tree.ensureDir(INCIDENTS_DIR);
    await tree.write([INCIDENTS_DIR, `${report.id}.json`], `${JSON.stringify(report, null, 2)}\n`);
    await tree.write([INCIDENTS_DIR, `${report.id}.txt`], renderReportText(report));
  };

  /**
   * Repairs what a killed run left of report `id`, when no run holds it: its temporary files, a text one
   * save behind, and "running" for a run that ended without closing (now partial, or completed).
   */
  const tidy = async (id: string, temporaries: string[]): Promise<void> => {
    if (await isReportLocked(tree, INCIDENTS_DIR, id)) return;
    let held: ReportLock;
    try {
      held = await lockReport(tree, INCIDENTS_DIR, id);
    } catch (error) {
      if (isLatchkeyError(error) && error.kind === 'Conflict') return; // a run started meanwhile: it writes both files
      throw error;
    }
    try {
      for (const name of temporaries) await tree.remove([INCIDENTS_DIR, name]);
      const report = await read(id);
      if (report.status === 'running') {
        report.status = reportStatusOf(report, false);
        await save(report);
        return;
      }
      const text = renderReportText(report);
      const onDisk = await tree
        .read([INCIDENTS_DIR, `${id}.txt`])
        .then((bytes) => bytes.toString('utf8'))
        .catch(() => undefined);
      if (onDisk !== text) await tree.write([INCIDENTS_DIR, `${id}.txt`], text);
    } finally {
      await held.release();
    }
  };
  const entries = async () => (await tree.list(INCIDENTS_DIR)).filter((entry) => !entry.isDirectory).map((entry) => entry.name);
  const temporariesOf = (names: string[], id: string) => names.filter((name) => [`${id}.json`, `${id}.txt`].includes(targetOfTemporary(name) ?? ''));
  /** The report, tidied first when it looks interrupted; one that cannot be tidied is read as it is. */
  const readTidied = async (id: string, names?: string[]): Promise<IncidentReport> => {
    const report = await read(id);
    const temporaries = temporariesOf(names ?? (await entries()), id);
    if (report.status !== 'running' && temporaries.length === 0) return report;
    await tidy(id, temporaries).catch(() => undefined);
    return read(id);
  };

  return {
    newId(now) {
      const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      return `${stamp}-${randomBytes(4).toString('hex')}`;
    },
    save,
    open: (id) => readTidied(id),
    async openText(id) {
      return renderReportText(await readTidied(id));
    },
    async list() {
      const names = await entries();
      const ids = names.filter((name) => name.endsWith('.json') && REPORT_ID.test(name.slice(0, -5))).map((name) => name.slice(0, -5));
      const summaries: IncidentSummary[] = [];
      for (const id of ids.sort().reverse()) {
        try {
          const report = await readTidied(id, names);
          summaries.push({ id, created_at: report.created_at, updated_at: report.updated_at, status: report.status, environments: report.environments, counts: report.counts });
        } catch {
          // A damaged report is not listed; opening it by id says what is wrong.
        }
      }
      return summaries;
    },
    pathsOf(id) {
      checkId(id);
      return { json: tree.resolve(INCIDENTS_DIR, `${id}.json`), text: tree.resolve(INCIDENTS_DIR, `${id}.txt`) };
    },
    async lock(id, options) {
      checkId(id);
      const held = await lockReport(tree, INCIDENTS_DIR, id, options);
      // Holding it, nothing else writes the report: what a killed run left behind can go.
      for (const name of temporariesOf(await entries(), id)) await tree.remove([INCIDENTS_DIR, name]);
      return held;
    },
  };
}
