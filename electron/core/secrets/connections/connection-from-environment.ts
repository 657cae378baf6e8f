import { invalidInput } from '../../errors';
import type { BackendScheme } from '../backend';
import { HANDSFREE_AWS_PREFIX, HANDSFREE_ENV_PREFIX, HANDSFREE_GCP_PREFIX } from '../handsfree-layout';
import type { Connection, ConnectionCredentials, Layout } from './connection-schema';
import { parseConnection } from './parse-connection';

/**
 * The CLI's connection for a scheme, from the seed's environment variables (SECRET_MANAGER_TYPE,
 * VAULT_*, AWS_*, GCP_* / GOOGLE_APPLICATION_CREDENTIALS, AZURE_*). Credentials given in variables
 * stay in memory; missing or contradictory settings fail at once with InvalidInput naming the
 * variable. Because these are the seed's variables, references resolve in the seed's (HandsFree)
 * layout unless LATCHKEY_SECRETS_LAYOUT=native.
 */
export interface EnvironmentConnection {
  connection: Connection;
  credentials?: ConnectionCredentials;
  /** Which variables the credentials came from, for messages. */
  credentialsLabel: string;
  /** The variable each credential field came from, so a refused one is named by its variable. */
  credentialVariables?: Readonly<Record<string, string>>;
}

type Env = Record<string, string | undefined>;
export type RemoteOrLocalScheme = Exclude<BackendScheme, 'file'>;

const SCHEMES: RemoteOrLocalScheme[] = ['env', 'keychain', 'vault', 'aws', 'gcp', 'azure'];

export function connectionFromEnvironment(env: Env, options: { scheme?: BackendScheme } = {}): EnvironmentConnection {
  const scheme = options.scheme ?? managerType(env);
  if (scheme === 'file') throw invalidInput('The local store (file://) needs no connection settings from the environment.');
  const layout = layoutOf(env);
  switch (scheme) {
    case 'env':
      return { connection: parseConnection({ kind: 'env', prefix: HANDSFREE_ENV_PREFIX }), credentialsLabel: 'the environment' };
    case 'keychain':
      return { connection: parseConnection({ kind: 'keychain', ...(set(env, 'LATCHKEY_KEYCHAIN_SERVICE') ? { service: env.LATCHKEY_KEYCHAIN_SERVICE } : {}) }), credentialsLabel: 'the OS keychain' };
    case 'vault':
      return vaultFromEnvironment(env, layout);
    case 'aws':
      return awsFromEnvironment(env, layout);
    case 'gcp':
      return gcpFromEnvironment(env, layout);
    case 'azure':
      return azureFromEnvironment(env);
  }
}

function set(env: Env, name: string): boolean {
  return env[name] !== undefined && env[name]!.trim() !== '';
}

function value(env: Env, name: string): string | undefined {
  return set(env, name) ? env[name]!.trim() : undefined;
}

function managerType(env: Env): RemoteOrLocalScheme {
  const type = value(env, 'SECRET_MANAGER_TYPE')?.toLowerCase() ?? 'env';
  if (!(SCHEMES as string[]).includes(type)) {
    throw invalidInput(`SECRET_MANAGER_TYPE is "${type.slice(0, 20)}"; use one of ${SCHEMES.join(', ')}.`);
  }
  return type as RemoteOrLocalScheme;
}

function layoutOf(env: Env): Layout {
  const layout = value(env, 'LATCHKEY_SECRETS_LAYOUT') ?? 'handsfree';
  if (layout !== 'handsfree' && layout !== 'native') throw invalidInput('LATCHKEY_SECRETS_LAYOUT must be "handsfree" or "native".');
  return layout;
}

function url(env: Env, name: string, required: boolean): string | undefined {
  const text = value(env, name);
  if (text === undefined) {
    if (required) throw invalidInput(`${name} is not set. Set it to the service's URL.`);
    return undefined;
  }
  try {
    const parsed = new URL(text);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw invalidInput(`${name} is not an http(s) URL.`);
  }
  return text;
}

function truthy(env: Env, name: string): boolean {
  const text = value(env, name)?.toLowerCase();
  if (text === undefined) return false;
  if (['1', 'true', 'yes'].includes(text)) return true;
  if (['0', 'false', 'no'].includes(text)) return false;
  throw invalidInput(`${name} must be true or false.`);
}

function vaultFromEnvironment(env: Env, layout: Layout): EnvironmentConnection {
  const address = url(env, 'VAULT_ADDR', true)!;
  const token = value(env, 'VAULT_TOKEN');
  const roleId = value(env, 'VAULT_ROLE_ID');
  const secretId = value(env, 'VAULT_SECRET_ID');
  if (token !== undefined && (roleId !== undefined || secretId !== undefined)) {
    throw invalidInput('VAULT_TOKEN and VAULT_ROLE_ID/VAULT_SECRET_ID are both set. Use a token or AppRole, not both: unset one of them.');
  }
  if (roleId !== undefined && secretId === undefined) throw invalidInput('VAULT_ROLE_ID is set but VAULT_SECRET_ID is not. AppRole login needs both.');
  if (secretId !== undefined && roleId === undefined) throw invalidInput('VAULT_SECRET_ID is set but VAULT_ROLE_ID is not. AppRole login needs both.');
  if (token === undefined && roleId === undefined) throw invalidInput('Vault needs credentials: set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID.');
  const skipVerify = truthy(env, 'VAULT_SKIP_VERIFY');
  if (skipVerify && set(env, 'VAULT_CACERT')) throw invalidInput('VAULT_SKIP_VERIFY and VAULT_CACERT are both set: either verify against the CA or skip verification, not both.');
  const connection = parseConnection(
    {
      kind: 'vault',
      address,
      layout,
      ...(set(env, 'VAULT_NAMESPACE') ? { namespace: value(env, 'VAULT_NAMESPACE') } : {}),
      ...(set(env, 'VAULT_MOUNT') ? { mount: value(env, 'VAULT_MOUNT') } : {}),
      auth: roleId === undefined ? { method: 'token' } : { method: 'approle', roleId },
      tls: {
        insecureSkipVerify: skipVerify,
        ...(set(env, 'VAULT_CACERT') ? { caFile: value(env, 'VAULT_CACERT') } : {}),
        ...(set(env, 'VAULT_TLS_SERVER_NAME') ? { serverName: value(env, 'VAULT_TLS_SERVER_NAME') } : {}),
      },
    },
    'the Vault settings (VAULT_*)',
    { variables: { address: 'VAULT_ADDR', namespace: 'VAULT_NAMESPACE', mount: 'VAULT_MOUNT', 'auth.roleId': 'VAULT_ROLE_ID', 'tls.caFile': 'VAULT_CACERT', 'tls.serverName': 'VAULT_TLS_SERVER_NAME' } },
  );
  const credentialVariables = { token: 'VAULT_TOKEN', secretId: 'VAULT_SECRET_ID' };
  return token === undefined
    ? { connection, credentials: { secretId: secretId! }, credentialsLabel: 'VAULT_ROLE_ID/VAULT_SECRET_ID', credentialVariables }
    : { connection, credentials: { token }, credentialsLabel: 'VAULT_TOKEN', credentialVariables };
}

function awsFromEnvironment(env: Env, layout: Layout): EnvironmentConnection {
  const regionVariable = set(env, 'AWS_REGION') ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
  const region = value(env, regionVariable);
  if (region === undefined) throw invalidInput('AWS_REGION is not set. Set it to the region of your secrets, e.g. us-east-1.');
  const accessKeyId = value(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = value(env, 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = value(env, 'AWS_SESSION_TOKEN');
  if (accessKeyId !== undefined && secretAccessKey === undefined) throw invalidInput('AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not. Set both, or neither to use a profile or IAM role.');
  if (secretAccessKey !== undefined && accessKeyId === undefined) throw invalidInput('AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not. Set both, or neither to use a profile or IAM role.');
  if (sessionToken !== undefined && accessKeyId === undefined) throw invalidInput('AWS_SESSION_TOKEN is set without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; a session token belongs to those keys.');
  if (accessKeyId !== undefined && set(env, 'AWS_PROFILE')) {
    throw invalidInput('AWS_PROFILE and AWS_ACCESS_KEY_ID are both set, so it is unclear which credentials to use. Unset one of them.');
  }
  const prefix = value(env, 'HANDSFREE_AWS_SECRETS_PREFIX') ?? (layout === 'handsfree' ? HANDSFREE_AWS_PREFIX : '');
  const connection = parseConnection(
    {
      kind: 'aws',
      region,
      layout,
      prefix,
      ...(set(env, 'AWS_SECRETS_MANAGER_ENDPOINT') ? { endpoint: url(env, 'AWS_SECRETS_MANAGER_ENDPOINT', false) } : {}),
      credentials: accessKeyId === undefined ? { source: 'default-chain', ...(set(env, 'AWS_PROFILE') ? { profile: value(env, 'AWS_PROFILE') } : {}) } : { source: 'access-keys' },
    },
    'the AWS settings (AWS_*)',
    { variables: { region: regionVariable, endpoint: 'AWS_SECRETS_MANAGER_ENDPOINT', prefix: 'HANDSFREE_AWS_SECRETS_PREFIX', 'credentials.profile': 'AWS_PROFILE' } },
  );
  if (accessKeyId === undefined) {
    return { connection, credentialsLabel: set(env, 'AWS_PROFILE') ? `AWS_PROFILE (${value(env, 'AWS_PROFILE')})` : 'the standard AWS credential chain' };
  }
  return {
    connection,
    credentials: { accessKeyId, secretAccessKey: secretAccessKey!, ...(sessionToken === undefined ? {} : { sessionToken }) },
    credentialsLabel: sessionToken === undefined ? 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN',
    credentialVariables: { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY', sessionToken: 'AWS_SESSION_TOKEN' },
  };
}

function gcpFromEnvironment(env: Env, layout: Layout): EnvironmentConnection {
  const projectId = value(env, 'GCP_PROJECT_ID');
  if (projectId === undefined) throw invalidInput('GCP_PROJECT_ID is not set. Set it to the Google Cloud project that holds the secrets.');
  const keyFile = value(env, 'GOOGLE_APPLICATION_CREDENTIALS');
  const prefix = value(env, 'HANDSFREE_GCP_SECRETS_PREFIX') ?? HANDSFREE_GCP_PREFIX;
  const connection = parseConnection(
    {
      kind: 'gcp',
      projectId,
      layout,
      prefix,
      ...(set(env, 'GCP_SECRET_MANAGER_ENDPOINT') ? { endpoint: url(env, 'GCP_SECRET_MANAGER_ENDPOINT', false) } : {}),
      credentials: keyFile === undefined ? { source: 'adc' } : { source: 'key-file', path: keyFile },
    },
    'the Google settings (GCP_PROJECT_ID, GCP_SECRET_MANAGER_ENDPOINT, HANDSFREE_GCP_SECRETS_PREFIX)',
    { variables: { projectId: 'GCP_PROJECT_ID', endpoint: 'GCP_SECRET_MANAGER_ENDPOINT', prefix: 'HANDSFREE_GCP_SECRETS_PREFIX', 'credentials.path': 'GOOGLE_APPLICATION_CREDENTIALS' } },
  );
  return { connection, credentialsLabel: keyFile === undefined ? 'Application Default Credentials' : 'GOOGLE_APPLICATION_CREDENTIALS' };
}

function azureFromEnvironment(env: Env): EnvironmentConnection {
  const clientSecret = value(env, 'AZURE_CLIENT_SECRET');
  const tenantId = value(env, 'AZURE_TENANT_ID');
  const clientId = value(env, 'AZURE_CLIENT_ID');
  if (clientSecret !== undefined && (tenantId === undefined || clientId === undefined)) {
    const missing = [tenantId === undefined ? 'AZURE_TENANT_ID' : undefined, clientId === undefined ? 'AZURE_CLIENT_ID' : undefined].filter(Boolean).join(' and ');
    throw invalidInput(`AZURE_CLIENT_SECRET is set but ${missing} is not. A service principal needs all three.`);
  }
  const connection = parseConnection(
    {
      kind: 'azure',
      ...(set(env, 'AZURE_KEYVAULT_URL') ? { vaultUrl: url(env, 'AZURE_KEYVAULT_URL', false) } : {}),
      // The vault's name when its URL does not start with it (a private endpoint).
      ...(set(env, 'AZURE_KEYVAULT_NAME') ? { vaultName: value(env, 'AZURE_KEYVAULT_NAME') } : {}),
      ...(set(env, 'AZURE_KEYVAULT_DNS_SUFFIX') ? { dnsSuffix: value(env, 'AZURE_KEYVAULT_DNS_SUFFIX') } : {}),
      ...(set(env, 'AZURE_AUTHORITY_HOST') ? { authorityHost: url(env, 'AZURE_AUTHORITY_HOST', false) } : {}),
      // For a private cloud or Azure Stack authority that Microsoft's instance discovery does not know.
      ...(truthy(env, 'AZURE_DISABLE_INSTANCE_DISCOVERY') ? { disableInstanceDiscovery: true } : {}),
      // For a private endpoint whose host is not <vault>.vault.azure.net (the SDK checks the challenge's resource against the host).
      ...(truthy(env, 'AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION') ? { disableChallengeResourceVerification: true } : {}),
      credentials: clientSecret === undefined ? { source: 'default' } : { source: 'client-secret', tenantId, clientId },
    },
    'the Azure settings (AZURE_*)',
    {
      variables: {
        vaultUrl: 'AZURE_KEYVAULT_URL',
        vaultName: 'AZURE_KEYVAULT_NAME',
        dnsSuffix: 'AZURE_KEYVAULT_DNS_SUFFIX',
        authorityHost: 'AZURE_AUTHORITY_HOST',
        'credentials.tenantId': 'AZURE_TENANT_ID',
        'credentials.clientId': 'AZURE_CLIENT_ID',
      },
    },
  );
  return clientSecret === undefined
    ? { connection, credentialsLabel: 'the default Azure credential chain (environment, managed identity, Azure CLI)' }
    : { connection, credentials: { clientSecret }, credentialsLabel: 'AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET', credentialVariables: { clientSecret: 'AZURE_CLIENT_SECRET' } };
}
