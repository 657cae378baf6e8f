import type { ConnectionKind } from '../../../../shared/ipc/connections.contract';

/**
 * The add/edit form of each kind of connection: which fields it has, and how they become the settings
 * object main checks (same field names as the config schema) and the credentials object main puts in
 * the keychain. Credentials are write-only: the form never holds stored ones, only what is typed.
 */
export type FormValues = Record<string, string | boolean>;

export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'select' | 'checkbox' | 'number' | 'textarea';
  placeholder?: string;
  options?: { value: string; label: string }[];
  hint?: string;
  /** Shown only when this holds for the current values. */
  when?: (values: FormValues) => boolean;
  /** Rarely needed: shown under "Advanced". */
  advanced?: boolean;
}

export const KIND_LABELS: Record<ConnectionKind, string> = {
  vault: 'HashiCorp Vault',
  aws: 'AWS Secrets Manager',
  gcp: 'Google Secret Manager',
  azure: 'Azure Key Vault',
  env: 'Environment variables',
  keychain: 'OS keychain',
};

export const KIND_ORDER: ConnectionKind[] = ['vault', 'aws', 'gcp', 'azure', 'env', 'keychain'];

const LAYOUT: FieldSpec = {
  name: 'layout',
  label: 'Layout',
  kind: 'select',
  options: [
    { value: 'native', label: 'Latchkey (names as written)' },
    { value: 'handsfree', label: 'HandsFree (where the HandsFree server keeps its secrets)' },
  ],
};

const text = (name: string, label: string, placeholder?: string, hint?: string, when?: FieldSpec['when']): FieldSpec => ({
  name,
  label,
  kind: 'text',
  ...(placeholder === undefined ? {} : { placeholder }),
  ...(hint === undefined ? {} : { hint }),
  ...(when === undefined ? {} : { when }),
});

export const SETTINGS_FIELDS: Record<ConnectionKind, FieldSpec[]> = {
  vault: [
    text('address', 'Address', 'https://vault.example.com:8200'),
    text('namespace', 'Namespace (Enterprise, optional)', 'team-a'),
    text('mount', 'KV v2 mount', 'secret'),
    LAYOUT,
    { name: 'authMethod', label: 'Sign in with', kind: 'select', options: [{ value: 'token', label: 'A token' }, { value: 'approle', label: 'AppRole (role id + secret id)' }] },
    text('roleId', 'Role id', 'e.g. 675a50e7-…', 'The role id is an identifier; the secret id is a credential and goes to the keychain.', (values) => values.authMethod === 'approle'),
    { ...text('caFile', 'CA certificate file (optional)', '/etc/ssl/vault-ca.pem'), advanced: true },
    { ...text('serverName', 'TLS server name (optional)', 'vault.internal'), advanced: true },
    { name: 'insecureSkipVerify', label: 'Skip TLS verification (development only)', kind: 'checkbox', advanced: true },
  ],
  aws: [
    text('region', 'Region', 'us-east-1'),
    text('endpoint', 'Endpoint (optional)', 'https://vpce-….secretsmanager.us-east-1.vpce.amazonaws.com'),
    LAYOUT,
    { ...text('prefix', 'Name prefix (optional)', 'handsfree/'), advanced: true },
    { name: 'recoveryWindowDays', label: 'Recovery window after delete (days, 7–30)', kind: 'number', placeholder: '30', advanced: true },
    { name: 'credentialSource', label: 'Credentials', kind: 'select', options: [{ value: 'default-chain', label: 'Standard chain (profile, SSO, IAM role)' }, { value: 'access-keys', label: 'Access keys kept in the keychain' }] },
    text('profile', 'Profile (optional)', 'default', undefined, (values) => values.credentialSource === 'default-chain'),
  ],
  gcp: [
    text('projectId', 'Project id', 'my-project-123'),
    text('endpoint', 'Endpoint (optional)', 'https://secretmanager.googleapis.com'),
    LAYOUT,
    { ...text('prefix', 'Secret id prefix (optional)', 'handsfree'), advanced: true },
    {
      name: 'credentialSource',
      label: 'Credentials',
      kind: 'select',
      options: [
        { value: 'adc', label: 'Application Default Credentials' },
        { value: 'key-file', label: 'A key file on this computer' },
        { value: 'stored-key', label: 'A key kept in the keychain' },
      ],
    },
    text('keyPath', 'Key file', '/path/to/service-account.json', undefined, (values) => values.credentialSource === 'key-file'),
  ],
  azure: [
    text('vaultUrl', 'Vault URL', 'https://my-vault.vault.azure.net'),
    text('vaultName', 'Vault name (when the URL does not start with it)', 'my-vault'),
    { ...text('authorityHost', 'Authority host (optional)', 'https://login.microsoftonline.com'), advanced: true },
    { name: 'disableInstanceDiscovery', label: 'Private cloud sign-in (trust the authority host without Microsoft instance discovery)', kind: 'checkbox', advanced: true },
    { name: 'disableChallengeResourceVerification', label: 'Private endpoint (host is not <vault>.vault.azure.net)', kind: 'checkbox', advanced: true },
    { name: 'credentialSource', label: 'Credentials', kind: 'select', options: [{ value: 'default', label: 'Default chain (environment, managed identity, Azure CLI)' }, { value: 'client-secret', label: 'A service principal' }] },
    text('tenantId', 'Tenant id', '72f988bf-…', undefined, (values) => values.credentialSource === 'client-secret'),
    text('clientId', 'Client id', '00000000-…', undefined, (values) => values.credentialSource === 'client-secret'),
  ],
  env: [text('prefix', 'Variable prefix', 'HANDSFREE_SECRET_', 'Keys become variables: prefix + KEY in upper case.')],
  keychain: [text('service', 'Service', 'latchkey-secrets', 'Keys become accounts of this service.')],
};

const DEFAULTS: Record<ConnectionKind, FormValues> = {
  vault: { address: '', namespace: '', mount: 'secret', layout: 'native', authMethod: 'token', roleId: '', caFile: '', serverName: '', insecureSkipVerify: false },
  aws: { region: '', endpoint: '', layout: 'native', prefix: '', recoveryWindowDays: '30', credentialSource: 'access-keys', profile: '' },
  gcp: { projectId: '', endpoint: '', layout: 'native', prefix: '', credentialSource: 'adc', keyPath: '' },
  azure: { vaultUrl: '', vaultName: '', authorityHost: '', disableInstanceDiscovery: false, disableChallengeResourceVerification: false, credentialSource: 'default', tenantId: '', clientId: '' },
  env: { prefix: 'HANDSFREE_SECRET_' },
  keychain: { service: 'latchkey-secrets' },
};

export function defaultValues(kind: ConnectionKind): FormValues {
  return { ...DEFAULTS[kind] };
}

const str = (values: FormValues, name: string): string => {
  const value = values[name];
  return typeof value === 'string' ? value.trim() : '';
};
const optional = (values: FormValues, name: string, key = name): Record<string, string> => (str(values, name) === '' ? {} : { [key]: str(values, name) });

/** The settings object main checks against the kind's schema. */
export function settingsOf(kind: ConnectionKind, values: FormValues): Record<string, unknown> {
  switch (kind) {
    case 'vault':
      return {
        kind,
        address: str(values, 'address'),
        ...optional(values, 'namespace'),
        mount: str(values, 'mount') || 'secret',
        layout: str(values, 'layout') || 'native',
        auth: values.authMethod === 'approle' ? { method: 'approle', roleId: str(values, 'roleId') } : { method: 'token' },
        tls: { insecureSkipVerify: values.insecureSkipVerify === true, ...optional(values, 'caFile'), ...optional(values, 'serverName') },
      };
    case 'aws':
      return {
        kind,
        region: str(values, 'region'),
        ...optional(values, 'endpoint'),
        layout: str(values, 'layout') || 'native',
        ...optional(values, 'prefix'),
        recoveryWindowDays: Number(str(values, 'recoveryWindowDays') || '30'),
        credentials: values.credentialSource === 'access-keys' ? { source: 'access-keys' } : { source: 'default-chain', ...optional(values, 'profile') },
      };
    case 'gcp':
      return {
        kind,
        projectId: str(values, 'projectId'),
        ...optional(values, 'endpoint'),
        layout: str(values, 'layout') || 'native',
        ...optional(values, 'prefix'),
        credentials: values.credentialSource === 'key-file' ? { source: 'key-file', path: str(values, 'keyPath') } : { source: values.credentialSource === 'stored-key' ? 'stored-key' : 'adc' },
      };
    case 'azure':
      return {
        kind,
        ...optional(values, 'vaultUrl'),
        ...optional(values, 'vaultName'),
        ...optional(values, 'authorityHost'),
        ...(values.disableInstanceDiscovery === true ? { disableInstanceDiscovery: true } : {}),
        disableChallengeResourceVerification: values.disableChallengeResourceVerification === true,
        credentials: values.credentialSource === 'client-secret' ? { source: 'client-secret', tenantId: str(values, 'tenantId'), clientId: str(values, 'clientId') } : { source: 'default' },
      };
    case 'env':
      return { kind, prefix: str(values, 'prefix') };
    case 'keychain':
      return { kind, service: str(values, 'service') || 'latchkey-secrets' };
  }
}

const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {});
const textOf = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/** Form values from stored settings (editing). */
export function valuesOf(kind: ConnectionKind, settings: Record<string, unknown>): FormValues {
  const values = defaultValues(kind);
  for (const name of Object.keys(values)) if (name in settings && typeof values[name] !== 'boolean') values[name] = textOf(settings[name]);
  const auth = record(settings.auth);
  const tls = record(settings.tls);
  const credentials = record(settings.credentials);
  switch (kind) {
    case 'vault':
      return { ...values, authMethod: textOf(auth.method) || 'token', roleId: textOf(auth.roleId), caFile: textOf(tls.caFile), serverName: textOf(tls.serverName), insecureSkipVerify: tls.insecureSkipVerify === true };
    case 'aws':
      return { ...values, credentialSource: textOf(credentials.source) || 'default-chain', profile: textOf(credentials.profile) };
    case 'gcp':
      return { ...values, credentialSource: textOf(credentials.source) || 'adc', keyPath: textOf(credentials.path) };
    case 'azure':
      return {
        ...values,
        disableInstanceDiscovery: settings.disableInstanceDiscovery === true,
        disableChallengeResourceVerification: settings.disableChallengeResourceVerification === true,
        credentialSource: textOf(credentials.source) || 'default',
        tenantId: textOf(credentials.tenantId),
        clientId: textOf(credentials.clientId),
      };
    default:
      return values;
  }
}

export interface CredentialSpec {
  name: string;
  label: string;
  multiline?: boolean;
  optional?: boolean;
}

/** The credential fields the current settings need (none when they use an outside chain). */
export function credentialFields(kind: ConnectionKind, values: FormValues): CredentialSpec[] {
  switch (kind) {
    case 'vault':
      return values.authMethod === 'approle' ? [{ name: 'secretId', label: 'AppRole secret id' }] : [{ name: 'token', label: 'Token' }];
    case 'aws':
      return values.credentialSource === 'access-keys'
        ? [
            { name: 'accessKeyId', label: 'Access key id' },
            { name: 'secretAccessKey', label: 'Secret access key' },
            { name: 'sessionToken', label: 'Session token (optional)', optional: true },
          ]
        : [];
    case 'gcp':
      return values.credentialSource === 'stored-key' ? [{ name: 'keyJson', label: 'Service account key (JSON)', multiline: true }] : [];
    case 'azure':
      return values.credentialSource === 'client-secret' ? [{ name: 'clientSecret', label: 'Client secret' }] : [];
    default:
      return [];
  }
}

/**
 * The credentials typed in, or undefined when none were (editing keeps the stored ones). A key that is
 * not JSON is reported without quoting it.
 */
export function credentialsOf(fields: CredentialSpec[], typed: Record<string, string>): { credentials?: Record<string, unknown>; error?: string } {
  const given = fields.filter((field) => (typed[field.name] ?? '') !== '');
  if (given.length === 0) return {};
  const missing = fields.filter((field) => field.optional !== true && (typed[field.name] ?? '') === '');
  if (missing.length > 0) return { error: `Fill in ${missing.map((field) => field.label.toLowerCase()).join(' and ')} too, or leave every credential empty.` };
  const credentials: Record<string, unknown> = {};
  for (const field of given) {
    const value = typed[field.name]!;
    if (field.name === 'keyJson') {
      try {
        credentials.keyJson = JSON.parse(value) as unknown;
      } catch {
        return { error: 'The service account key is not valid JSON. Paste the whole key file.' };
      }
    } else {
      credentials[field.name] = value.trim();
    }
  }
  return { credentials };
}

/** What to type as the prefix of an environment on a connection of this kind. */
export const PREFIX_HINTS: Record<ConnectionKind, { placeholder: string; hint: string }> = {
  vault: { placeholder: 'app/staging/', hint: 'A folder on the KV mount; keys are secrets in it.' },
  aws: { placeholder: 'app/prod/', hint: 'Secret names start with this (after the connection’s own prefix).' },
  gcp: { placeholder: 'app_prod_', hint: 'Secret ids start with this: letters, digits, "_" and "-".' },
  azure: { placeholder: 'app-prod-', hint: 'Secret names start with this: letters, digits and "-". Keys are stored with "-" for "_".' },
  env: { placeholder: 'APP_', hint: 'Variables are the connection prefix + this + KEY.' },
  keychain: { placeholder: 'app/dev/', hint: 'Accounts of the connection’s service start with this.' },
};

/** Settings paths (as main names them in an error) that a form field of another name edits. */
const FIELD_OF_PATH: Record<string, string> = {
  'auth.roleId': 'roleId',
  'tls.caFile': 'caFile',
  'tls.serverName': 'serverName',
  'tls.insecureSkipVerify': 'insecureSkipVerify',
  'credentials.profile': 'profile',
  'credentials.path': 'keyPath',
  'credentials.tenantId': 'tenantId',
  'credentials.clientId': 'clientId',
  'credentials.source': 'credentialSource',
  'auth.method': 'authMethod',
};

/**
 * The form field an error is about, from the settings path main gave with it ("address", "tls.caFile",
 * "credentials.accessKeyId"), so the form can mark it and move the focus there.
 */
export function formFieldOf(path: string | undefined, credentialNames: string[]): string | undefined {
  if (path === undefined) return undefined;
  const mapped = FIELD_OF_PATH[path];
  if (mapped !== undefined) return mapped;
  if (path.startsWith('credentials.') && credentialNames.includes(path.slice('credentials.'.length))) return path.slice('credentials.'.length);
  return path.includes('.') ? undefined : path;
}
