import { invalidInput } from '../../errors';
import type { Connection, ConnectionCredentials } from './connection-schema';
import { credentialsSchemaFor } from './connection-schema';
import { fieldOf, ruleOf } from './issue-rule';

/**
 * Which credentials a connection's settings ask Latchkey to keep for it, and whether a given set of
 * credentials is what they ask for. Settings that use an outside chain (AWS profile or role, Google
 * ADC, Azure's default chain) need none; env and keychain never do.
 */
export type CredentialsNeed =
  | { needed: false }
  | {
      needed: true;
      /** The fields a person fills in, for forms and messages. */
      fields: string[];
    };

export function credentialsNeed(connection: Connection): CredentialsNeed {
  switch (connection.kind) {
    case 'vault':
      return { needed: true, fields: connection.auth.method === 'token' ? ['token'] : ['secretId'] };
    case 'aws':
      return connection.credentials.source === 'access-keys' ? { needed: true, fields: ['accessKeyId', 'secretAccessKey', 'sessionToken?'] } : { needed: false };
    case 'gcp':
      return connection.credentials.source === 'stored-key' ? { needed: true, fields: ['keyJson'] } : { needed: false };
    case 'azure':
      return connection.credentials.source === 'client-secret' ? { needed: true, fields: ['clientSecret'] } : { needed: false };
    default:
      return { needed: false };
  }
}

/** Credentials checked against what `connection` needs; the message names fields, never values. */
export function parseCredentialsFor(connection: Connection, input: unknown, name: string): ConnectionCredentials {
  const need = credentialsNeed(connection);
  const schema = credentialsSchemaFor(connection.kind);
  if (!need.needed || schema === undefined) {
    throw invalidInput(`Connection "${name}" keeps no credentials: ${connection.kind === 'env' || connection.kind === 'keychain' ? 'it needs none' : 'its settings use an outside credential chain'}. Change its settings to store credentials.`);
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = fieldOf(issue);
    const needs = `It needs ${need.fields.map((wanted) => wanted.replace('?', ' (optional)')).join(', ')}.`;
    if (field === undefined) throw invalidInput(`The credentials for connection "${name}" are not valid. ${needs}`);
    throw invalidInput(`The ${field} for connection "${name}" is not valid: it must be ${ruleOf(issue)}. ${needs}`, { field: `credentials.${field}` });
  }
  const missing = need.fields.filter((field) => !field.endsWith('?') && (parsed.data as Record<string, unknown>)[field] === undefined);
  if (missing.length > 0) throw invalidInput(`The credentials for connection "${name}" lack ${missing.join(', ')}.`);
  return parsed.data;
}

/** Whether stored credentials (already parsed for the kind) have every field the settings need. */
export function credentialsComplete(connection: Connection, stored: unknown): boolean {
  const need = credentialsNeed(connection);
  if (!need.needed) return true;
  const schema = credentialsSchemaFor(connection.kind);
  const parsed = schema?.safeParse(stored);
  if (parsed === undefined || !parsed.success) return false;
  return need.fields.every((field) => field.endsWith('?') || (parsed.data as Record<string, unknown>)[field] !== undefined);
}
