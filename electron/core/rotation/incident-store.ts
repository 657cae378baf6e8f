import { randomBytes } from 'node:crypto';
import { REPORT_ID } from '../audit/entry';
import { invalidInput, LatchkeyError } from '../errors';
import { PrivateTree } from '../fs/private-files';
import { incidentReportSchema, renderReportText, type IncidentReport, type ReportCounts, type ReportStatus } from './incident-report';

/**
 * Incident reports under `<state>/incidents/`: `<id>.json` and `<id>.txt`, private files written
 * atomically. Ids start with the UTC time, so they sort by age.
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
}

export function createIncidentReportStore(stateDir: string): IncidentReportStore {
  const tree = new PrivateTree(stateDir);
  const checkId = (id: string) => {
    if (!REPORT_ID.test(id)) throw invalidInput(`"${id.slice(0, 40)}" is not an incident report id (they look like 20250301T101500Z-1a2b3c4d).`);
  };
  const open = async (id: string): Promise<IncidentReport> => {
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
  return {
    newId(now) {
      const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      return `${stamp}-${randomBytes(4).toString('hex')}`;
    },
    async save(report) {
      checkId(report.id);
      await tree.ensureDir(INCIDENTS_DIR);
      await tree.write([INCIDENTS_DIR, `${report.id}.json`], `${JSON.stringify(report, null, 2)}\n`);
      await tree.write([INCIDENTS_DIR, `${report.id}.txt`], renderReportText(report));
    },
    open,
    async openText(id) {
      checkId(id);
      return (await tree.read([INCIDENTS_DIR, `${id}.txt`])).toString('utf8');
    },
    async list() {
      const names = (await tree.list(INCIDENTS_DIR)).filter((entry) => !entry.isDirectory && entry.name.endsWith('.json')).map((entry) => entry.name.slice(0, -5));
      const summaries: IncidentSummary[] = [];
      for (const id of names.filter((name) => REPORT_ID.test(name)).sort().reverse()) {
        try {
          const report = await open(id);
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
  };
}
