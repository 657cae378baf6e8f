import { z } from 'zod';
import { publicErrorSchema } from '../errors';
import { REPORT_ID } from '../audit';
import { incidentReportSchema as incidentReport, reportCountsSchema as counts } from '../incident-report';
import { rotationClasses, sessionRevocationPlanSchema } from '../rotation';
import { call } from './entry';
import { empty, environmentName, operationId, projectName, timestamp } from './fields';

const target = z.strictObject({ project: projectName, environment: environmentName });
const ref = z.string().min(1).max(1024);
const reportId = z.string().regex(REPORT_ID, 'not an incident report id');
const sessions = z.strictObject({ server: z.string().min(1).max(64), plan: sessionRevocationPlanSchema });
const environmentSummary = z.object({ project: projectName, name: environmentName, protected: z.boolean() });
/** The names typed to confirm (each protected environment's); the UI asks before every run. */
const typedNames = z.array(environmentName).max(100);

const runResult = z.object({ report: incidentReport, warnings: z.array(z.string().max(1000)) });

export const incidentsContract = {
  /** Every secret of the environments, whether Latchkey can rotate it (and why not), and the sessions the plan would revoke. */
  preview: call(
    z.strictObject({ environments: z.array(target).min(1).max(50), sessions: sessions.optional() }),
    z.object({
      environments: z.array(environmentSummary),
      items: z.array(
        z.object({
          ref,
          project: projectName,
          environment: environmentName,
          key: z.string().max(200),
          /** By the rotation rule; unreadable: it could not be read (a damaged file…) and will be reported as failed. */
          class: z.enum([...rotationClasses, 'unreadable']),
          rotatable: z.boolean(),
          policy: z.string().max(300).optional(),
          reason: z.string().max(1000).optional(),
          provider: z.string().max(100).optional(),
          /** class service: "changes the credential at <service>"; class generate changes the stored copy only. */
          service: z.string().max(200).optional(),
          error: publicErrorSchema.optional(),
        }),
      ),
      rotatable: z.number().int(),
      sessions: z.object({ plan: sessionRevocationPlanSchema, count: z.number().int(), server: z.string().max(64).optional() }).optional(),
      typeToConfirm: z.array(environmentName),
    }),
  ),
  /** Runs the incident with bounded concurrency; progress as operation.progress and incident.item events; cancel with operations.cancel. */
  run: call(
    z.strictObject({
      operationId,
      environments: z.array(target).min(1).max(50),
      sessions: sessions.optional(),
      /** References unticked in the preview. */
      exclude: z.array(ref).max(10_000).optional(),
      typedNames,
      concurrency: z.number().int().min(1).max(64).optional(),
    }),
    runResult,
  ),
  /** Finishes only what a saved incident left undone. */
  resume: call(z.strictObject({ operationId, reportId, typedNames }), runResult),
  /** Records (audited, in the report) that the person rotated these by-hand secrets where they were issued. */
  markRotated: call(z.strictObject({ reportId, refs: z.array(ref).min(1).max(10_000) }), z.object({ report: incidentReport })),
  list: call(
    empty,
    z.object({ reports: z.array(z.object({ id: reportId, created_at: timestamp, updated_at: timestamp, status: incidentReport.shape.status, environments: z.array(environmentSummary), counts })) }),
  ),
  /** A saved report, as data and as its readable text, with where its files are. */
  open: call(z.strictObject({ reportId }), z.object({ report: incidentReport, text: z.string().max(5_000_000), paths: z.object({ json: z.string(), text: z.string() }) })),
  /** The session servers sessions can be revoked on. */
  sessionServers: call(empty, z.object({ servers: z.array(z.string()) })),
};

export type { IncidentReport, ReportItem } from '../incident-report';
