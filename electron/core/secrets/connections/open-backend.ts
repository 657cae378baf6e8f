import { readFile } from 'node:fs/promises';
import type { ClientSecretCredentialOptions, TokenCredential } from '@azure/identity';
import { z } from 'zod';
import { invalidInput, notFound } from '../../errors';
import type { Keychain } from '../../keychain';
import type { Logger } from '../../log';
import type { SecretBackend } from '../backend';
// The remote backends and their SDKs load when a connection of their kind is first opened, so a
// command that never touches one (file://, env://, `projects ls`) does not pay for loading them.
import type { AwsBackend } from '../backends/aws/aws-backend';
import type { AzureBackend } from '../backends/azure/azure-backend';
import { EnvBackend } from '../backends/env-backend';
import type { GcpBackend } from '../backends/gcp/gcp-backend';
import { KeychainBackend } from '../backends/keychain-backend';
import type { VaultBackend } from '../backends/vault/vault-backend';
import { HANDSFREE_AWS_PREFIX, HANDSFREE_GCP_PREFIX } from '../handsfree-layout';
import type { RetryPolicy } from '../remote/retry';
import { readConnectionCredentials } from './connection-credentials';
import { fieldOf, ruleOf } from './issue-rule';
import {
  awsCredentialsSchema,
  azureCredentialsSchema,
  gcpCredentialsSchema,
  vaultCredentialsSchema,
  type AwsConnection,
  type AzureConnection,
  type AzureCredentials,
  type Connection,
  type ConnectionCredentials,
  type GcpConnection,
  type VaultConnection,
} from './connection-schema';

/**
 * A backend for a connection: its settings, plus credentials given directly (the CLI, from
 * environment variables) or read from the connection's keychain entry (the app). Files a connection
 * names (a CA certificate, a Google key) are read here, so a missing one fails before any request.
 */
export interface BackendDependencies {
  logger: Logger;
  keychain: Keychain;
  /** The environment env:// reads and writes: process.env in the CLI. */
  env: Record<string, string | undefined>;
  now?: () => Date;
  retry?: RetryPolicy;
  readTextFile?: (path: string) => Promise<string>;
  /** How an Azure connection becomes a TokenCredential; @azure/identity by default. */
  azureCredential?: (connection: AzureConnection, credentials: AzureCredentials | undefined) => TokenCredential | Promise<TokenCredential>;
}

export interface OpenConnection {
  connection: Connection;
  /** Credentials given directly; when absent they are read from `connection.credentialsAccount`. */
  credentials?: ConnectionCredentials;
  /** Where the credentials came from, for messages ("VAULT_TOKEN", 'connection "staging"'). */
  credentialsLabel?: string;
  /** The connection's name, for messages. */
  name?: string;
  /** The environment variable each given credential field came from (the CLI), for messages. */
  credentialVariables?: Readonly<Record<string, string>>;
}

export async function openBackend(open: OpenConnection, deps: BackendDependencies): Promise<SecretBackend> {
  const { connection } = open;
  const name = open.name === undefined ? `this ${connection.kind} connection` : `connection "${open.name}"`;
  const credentialsLabel = open.credentialsLabel ?? name;
  const common = { logger: deps.logger, ...(deps.retry === undefined ? {} : { retry: deps.retry }), credentialsLabel };
  switch (connection.kind) {
    case 'env':
      return new EnvBackend({ env: deps.env, keyPrefix: connection.prefix });
    case 'keychain':
      return new KeychainBackend({ keychain: deps.keychain, service: connection.service });
    case 'vault':
      return openVault(connection, await credentialsOf(open, vaultCredentialsSchema, deps, name), deps, common, name);
    case 'aws':
      return openAws(connection, await credentialsOf(open, awsCredentialsSchema, deps, name), common, name);
    case 'gcp':
      return openGcp(connection, await credentialsOf(open, gcpCredentialsSchema, deps, name), deps, common, name);
    case 'azure':
      return openAzure(connection, await credentialsOf(open, azureCredentialsSchema, deps, name), deps, common, name);
  }
}

type Common = { logger: Logger; retry?: RetryPolicy; credentialsLabel: string };

/** Credentials given with the connection, or else those in its keychain entry (none: the backend's own chain). */
async function credentialsOf<T>(open: OpenConnection, schema: z.ZodType<T>, deps: BackendDependencies, name: string): Promise<T | undefined> {
  if (open.credentials !== undefined) {
    const parsed = schema.safeParse(open.credentials);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = fieldOf(issue);
      const variable = field === undefined ? undefined : open.credentialVariables?.[field];
      if (variable !== undefined) throw invalidInput(`${variable} is not valid: it must be ${ruleOf(issue)}.`);
      throw invalidInput(`The credentials given for ${name} are not valid${field === undefined ? '' : ` at ${field}`}: ${field === undefined ? 'they are not the kind it needs' : `it must be ${ruleOf(issue)}`}.`);
    }
    return parsed.data;
  }
  const account = 'credentialsAccount' in open.connection ? open.connection.credentialsAccount : undefined;
  if (account === undefined) return undefined;
  return readConnectionCredentials(deps.keychain, account, schema, open.name ?? open.connection.kind);
}

async function readNamedFile(deps: BackendDependencies, path: string, what: string): Promise<string> {
  try {
    return await (deps.readTextFile ?? ((file: string) => readFile(file, 'utf8')))(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`${what} ${path} does not exist. Check the path.`);
    throw invalidInput(`${what} ${path} cannot be read (${code ?? 'error'}). Check its permissions.`);
  }
}

async function openVault(connection: VaultConnection, credentials: z.infer<typeof vaultCredentialsSchema> | undefined, deps: BackendDependencies, common: Common, name: string): Promise<VaultBackend> {
  let auth: ConstructorParameters<typeof VaultBackend>[0]['auth'];
  if (connection.auth.method === 'token') {
    if (credentials?.token === undefined) throw invalidInput(`${name} logs in to Vault with a token, but no token is stored for it. Enter it in Connections (or set VAULT_TOKEN).`);
    auth = { method: 'token', token: credentials.token };
  } else {
    if (credentials?.secretId === undefined) throw invalidInput(`${name} logs in to Vault with AppRole, but no secret id is stored for it. Enter it in Connections (or set VAULT_SECRET_ID).`);
    auth = { method: 'approle', roleId: connection.auth.roleId, secretId: credentials.secretId, mount: connection.auth.mount };
  }
  const ca = connection.tls.caFile === undefined ? undefined : await readNamedFile(deps, connection.tls.caFile, 'The Vault CA certificate file (VAULT_CACERT)');
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) throw invalidInput(`The Vault CA certificate file ${connection.tls.caFile} holds no PEM certificate.`);
  const { VaultBackend } = await import('../backends/vault/vault-backend');
  return new VaultBackend({
    ...common,
    address: connection.address,
    mount: connection.mount,
    field: connection.field,
    layout: connection.layout,
    auth,
    tls: { insecureSkipVerify: connection.tls.insecureSkipVerify, ...(ca === undefined ? {} : { ca }), ...(connection.tls.serverName === undefined ? {} : { serverName: connection.tls.serverName }) },
    ...(connection.namespace === undefined ? {} : { namespace: connection.namespace }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
}

async function openAws(connection: AwsConnection, credentials: z.infer<typeof awsCredentialsSchema> | undefined, common: Common, name: string): Promise<AwsBackend> {
  if (connection.credentials.source === 'access-keys' && credentials === undefined) {
    throw invalidInput(`${name} uses stored AWS access keys, but none are stored for it. Enter them in Connections (or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).`);
  }
  const { AwsBackend } = await import('../backends/aws/aws-backend');
  return new AwsBackend({
    ...common,
    region: connection.region,
    keyPrefix: connection.prefix ?? (connection.layout === 'handsfree' ? HANDSFREE_AWS_PREFIX : ''),
    recoveryWindowDays: connection.recoveryWindowDays,
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(connection.credentials.source === 'access-keys' && credentials !== undefined ? { credentials } : {}),
    ...(connection.credentials.source === 'default-chain' && connection.credentials.profile !== undefined ? { profile: connection.credentials.profile } : {}),
  });
}

const googleKeySchema = z.union([
  z.looseObject({ type: z.literal('service_account'), client_email: z.string().min(3), private_key: z.string().includes('PRIVATE KEY') }),
  z.looseObject({ type: z.literal('authorized_user'), client_id: z.string().min(1), client_secret: z.string().min(1), refresh_token: z.string().min(1) }),
  z.looseObject({ type: z.enum(['external_account', 'impersonated_service_account', 'external_account_authorized_user']) }),
]);

function checkGoogleKey(json: unknown, where: string): Record<string, unknown> {
  const parsed = googleKeySchema.safeParse(json);
  if (!parsed.success) throw invalidInput(`${where} is not a Google credentials file (a service account key, an authorized user or an external account configuration).`);
  return parsed.data as Record<string, unknown>;
}

async function openGcp(connection: GcpConnection, credentials: z.infer<typeof gcpCredentialsSchema> | undefined, deps: BackendDependencies, common: Common, name: string): Promise<GcpBackend> {
  let key: Record<string, unknown> | undefined;
  if (connection.credentials.source === 'key-file') {
    const where = `The Google key file ${connection.credentials.path} (GOOGLE_APPLICATION_CREDENTIALS)`;
    const text = await readNamedFile(deps, connection.credentials.path, 'The Google key file (GOOGLE_APPLICATION_CREDENTIALS)');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidInput(`${where} is not JSON.`);
    }
    key = checkGoogleKey(json, where);
  } else if (connection.credentials.source === 'stored-key') {
    if (credentials === undefined) throw invalidInput(`${name} uses a stored Google key, but none is stored for it. Enter it in Connections.`);
    key = checkGoogleKey(credentials.keyJson, `The Google key stored for ${name}`);
  }
  const { GcpBackend } = await import('../backends/gcp/gcp-backend');
  return new GcpBackend({
    ...common,
    projectId: connection.projectId,
    layout: connection.layout,
    keyPrefix: connection.prefix ?? HANDSFREE_GCP_PREFIX,
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    credentials: key === undefined ? { source: 'adc' } : { source: 'key', json: key },
  });
}

async function openAzure(connection: AzureConnection, credentials: AzureCredentials | undefined, deps: BackendDependencies, common: Common, name: string): Promise<AzureBackend> {
  if (connection.credentials.source === 'client-secret' && credentials === undefined) {
    throw invalidInput(`${name} signs in as a service principal, but no client secret is stored for it. Enter it in Connections (or set AZURE_CLIENT_SECRET).`);
  }
  const credential = await (deps.azureCredential ?? azureIdentityCredential)(connection, credentials);
  const { AzureBackend } = await import('../backends/azure/azure-backend');
  return new AzureBackend({
    ...common,
    credential,
    dnsSuffix: connection.dnsSuffix,
    disableChallengeResourceVerification: connection.disableChallengeResourceVerification,
    ...(connection.vaultUrl === undefined ? {} : { vaultUrl: connection.vaultUrl }),
    ...(connection.vaultName === undefined ? {} : { vaultName: connection.vaultName }),
  });
}

/**
 * @azure/identity: a service principal with its secret, or DefaultAzureCredential's chain. `tls` is
 * for tests that serve Microsoft Entra ID over TLS with a CA of their own.
 */
export async function azureIdentityCredential(
  connection: AzureConnection,
  credentials: AzureCredentials | undefined,
  tls: Pick<ClientSecretCredentialOptions, 'tlsOptions'> = {},
): Promise<TokenCredential> {
  const { ClientSecretCredential, DefaultAzureCredential } = await import('@azure/identity');
  const options = {
    ...tls,
    ...(connection.authorityHost === undefined ? {} : { authorityHost: connection.authorityHost }),
    ...(connection.disableInstanceDiscovery === true ? { disableInstanceDiscovery: true } : {}),
  };
  if (connection.credentials.source === 'client-secret') {
    return new ClientSecretCredential(connection.credentials.tenantId, connection.credentials.clientId, credentials!.clientSecret, options);
  }
  return new DefaultAzureCredential(options);
}
