import { z } from 'zod';
import { ENVIRONMENT_NAME, PROJECT_NAME, SECRET_KEY } from '../../../shared/names';
import { rotationStrategies, serviceKinds } from './driver';
import { valueFormats } from './value-codecs';

/**
 * What config.json keeps about services and rotators. A service is an address and settings, never a
 * credential: its admin credential lives in the OS keychain (service `latchkey-services`) under the
 * account named here. A rotator is keyed by project, environment and key, so it follows the secret
 * whatever backend the environment is stored in.
 */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SERVICE_NAME_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters';

/** Kinds registered as services; command rotators name an executable instead of a service. */
export const registeredServiceKinds = serviceKinds.filter((kind) => kind !== 'command');

/** Role, ACL user or IAM user names: no whitespace or control characters. */
export const serviceUserName = z.string().min(1).max(128).regex(/^[^\s\p{Cc}]+$/u, 'must have no spaces or control characters');

export const storedServiceSchema = z.strictObject({
  name: z.string().regex(SERVICE_NAME),
  kind: z.enum(serviceKinds),
  /** Validated with the kind's settings schema when used. */
  settings: z.record(z.string(), z.unknown()),
  /** Keychain account (service `latchkey-services`) holding the admin credential. */
  credentialsAccount: z.string().regex(/^service:[0-9a-f-]{36}$/).optional(),
});
export type StoredService = z.infer<typeof storedServiceSchema>;

export const MAX_GRACE_SECONDS = 30 * 24 * 3600;

export const storedRotatorSchema = z.strictObject({
  project: z.string().regex(PROJECT_NAME),
  environment: z.string().regex(ENVIRONMENT_NAME),
  key: z.string().regex(SECRET_KEY),
  kind: z.enum(serviceKinds),
  /** The service's name; absent for command rotators. */
  service: z.string().regex(SERVICE_NAME).optional(),
  /** How the stored value holds the credential (value-codecs.ts). */
  format: z.enum(valueFormats),
  strategy: z.enum(rotationStrategies),
  user: serviceUserName.optional(),
  userB: serviceUserName.optional(),
  self: z.boolean().default(false),
  graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).default(0),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  /** command rotators: the executable's absolute path. */
  command: z.string().min(2).max(4096).startsWith('/').optional(),
});
export type StoredRotator = z.infer<typeof storedRotatorSchema>;
