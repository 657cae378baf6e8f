import { z } from 'zod';
import { publicErrorSchema } from '../errors';
import { jsonObject } from './connections.contract';
import { call } from './entry';
import { confirmed, empty, environmentName, projectName, secretKey } from './fields';

/**
 * Services: where a credential is *checked* (a Postgres or MySQL/MariaDB server, a Redis server or
 * Cluster, AWS IAM) — apart from backends (where values are stored) and session servers. An admin URL
 * with its password travels one way only, once, from a form field into main, which splits it: the
 * password goes to the OS keychain (`latchkey-services`), the rest becomes settings. No answer ever
 * carries it back; a service says only whether its admin credential is stored.
 */
export const serviceKinds = ['postgres', 'mysql', 'redis', 'aws-iam', 'command'] as const;
export type ServiceKind = (typeof serviceKinds)[number];
/** Kinds registered as services; a command rotator names an executable instead. */
export const registeredServiceKinds = ['postgres', 'mysql', 'redis', 'aws-iam'] as const;
export type RegisteredServiceKind = (typeof registeredServiceKinds)[number];

export const rotationStrategies = ['single', 'alternating', 'dual'] as const;
export type RotationStrategy = (typeof rotationStrategies)[number];

/** Same rule as core's SERVICE_NAME. */
export const serviceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'not a valid service name');
/** `postgres://admin:password@host:5432/postgres`, `redis://user:password@host:6379`, `mysql://…`: checked in core, never echoed. */
const adminUrl = z.string().min(1).max(4096, 'the admin URL is too long');

/** One line of a dry run (reachable, authenticated, exists, can change…). Plain text, never a credential. */
export const checkStep = z.object({
  name: z.string().max(100),
  outcome: z.enum(['passed', 'failed', 'skipped']),
  detail: z.string().max(1000),
  error: publicErrorSchema.optional(),
});

export const serviceView = z.object({
  name: serviceName,
  kind: z.enum(registeredServiceKinds),
  /** Where it points, for people (`127.0.0.1:5432/postgres as admin`); never a credential. */
  location: z.string().max(1000),
  /** Its settings (addresses, TLS files, user names) — no secret is ever kept in them. */
  settings: z.record(z.string(), z.unknown()),
  credentials: z.enum(['stored', 'not set']),
  /** The secrets that rotate at this service. */
  rotators: z.array(z.object({ project: projectName, environment: environmentName, key: secretKey })),
});

/** What a kind's driver supports, so forms offer only what it can do. */
export const serviceKindView = z.object({
  kind: z.enum(serviceKinds),
  /** The first is the default. */
  strategies: z.array(z.enum(rotationStrategies)).min(1),
  /** A credential may change itself (no admin credential). */
  selfMode: z.boolean(),
  /** The service makes the new credential (IAM access keys), not Latchkey's generator. */
  makesCredential: z.boolean(),
});

export const servicesContract = {
  kinds: call(empty, z.object({ kinds: z.array(serviceKindView) })),
  list: call(empty, z.object({ services: z.array(serviceView) })),
  /** An admin URL (its password to the keychain) and/or settings as JSON, which core checks against the kind. */
  add: call(z.strictObject({ name: serviceName, kind: z.enum(registeredServiceKinds), adminUrl: adminUrl.optional(), settings: jsonObject.optional() }), z.object({ service: serviceView })),
  /** A new admin URL replaces the address and the stored credential; settings alone change only those. */
  update: call(z.strictObject({ name: serviceName, adminUrl: adminUrl.optional(), settings: jsonObject.optional() }), z.object({ service: serviceView })),
  /** Refused while rotators use it (the message names them); deletes its admin credential from the keychain. */
  remove: call(z.strictObject({ name: serviceName, confirmed }), empty),
  /** Dry run of the service alone: reachable, the admin credential accepted. Changes nothing. */
  test: call(z.strictObject({ name: serviceName }), z.object({ steps: z.array(checkStep) })),
};

export type ServiceView = z.infer<typeof serviceView>;
export type ServiceKindView = z.infer<typeof serviceKindView>;
export type CheckStepView = z.infer<typeof checkStep>;
