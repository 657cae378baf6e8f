import type { RegisteredServiceKind, ServiceKind } from '../../../../shared/ipc/services.contract';

/**
 * The add/edit form of each kind of service. The admin URL (address, admin user and password in one,
 * as `latchkey services add --url-stdin` reads it) is write-only: main splits it and keeps the password
 * in the OS keychain. The other fields become settings (same names as the kind's settings schema in
 * core, which checks them); a field left empty is not sent.
 */
export type ServiceFormValues = Record<string, string>;

export interface ServiceFieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'number' | 'select';
  placeholder?: string;
  options?: { value: string; label: string }[];
  hint?: string;
}

export const SERVICE_KIND_LABELS: Record<RegisteredServiceKind, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL / MariaDB',
  redis: 'Redis or Redis Cluster (ACL users)',
  'aws-iam': 'AWS IAM (access keys)',
};

/** Rotators name the kind of the service they change the credential at, or a command hook. */
export const ROTATOR_KIND_LABELS: Record<ServiceKind, string> = { ...SERVICE_KIND_LABELS, redis: 'Redis ACL', command: 'Command hook' };

export const SERVICE_KIND_ORDER: RegisteredServiceKind[] = ['postgres', 'mysql', 'redis', 'aws-iam'];

/** Kinds whose address and admin credential are given as one URL. */
export type UrlKind = Exclude<RegisteredServiceKind, 'aws-iam'>;
export const takesUrl = (kind: RegisteredServiceKind): kind is UrlKind => kind !== 'aws-iam';

export const ADMIN_URL_EXAMPLES: Record<UrlKind, string> = {
  postgres: 'postgres://admin:PASSWORD@db.internal:5432/postgres',
  mysql: 'mysql://admin:PASSWORD@db.internal:3306/',
  redis: 'redis://admin:PASSWORD@cache.internal:6379',
};

export const ADMIN_URL_HINTS: Record<UrlKind, string> = {
  postgres: 'A superuser or a role with CREATEROLE. Leave the password out for a service used only by credentials that change themselves. sslmode and sslrootcert may follow as parameters.',
  mysql: 'An account allowed to ALTER USER (CREATE USER privilege). ssl-mode, ssl-ca and account-host may follow as parameters; mariadb:// works too.',
  redis: 'A user allowed to run ACL SETUSER (and ACL SAVE with an ACL file); Latchkey finds the replicas and the other Cluster nodes from here. rediss:// for TLS.',
};

const number = (name: string, label: string, placeholder: string): ServiceFieldSpec => ({ name, label, kind: 'number', placeholder });

/** Settings besides the URL (under "More settings"); aws-iam has no URL, so its fields are all here. */
export const SERVICE_FIELDS: Record<RegisteredServiceKind, ServiceFieldSpec[]> = {
  postgres: [
    {
      name: 'sslmode',
      label: 'TLS',
      kind: 'select',
      options: [
        { value: '', label: 'As in the URL (default: off)' },
        { value: 'disable', label: 'Off' },
        { value: 'require', label: 'Required, certificate not checked' },
        { value: 'verify-full', label: 'Required, certificate and host name checked' },
      ],
    },
    { name: 'sslrootcert', label: 'CA certificate file (verify-full)', kind: 'text', placeholder: '/etc/ssl/db-ca.pem' },
    number('connectTimeoutSeconds', 'Connect timeout (seconds)', '10'),
  ],
  mysql: [{ name: 'accountHost', label: 'Host part of the accounts rotated here', kind: 'text', placeholder: '%', hint: "The accounts are 'user'@'this'." }],
  redis: [
    { name: 'nodes', label: 'Other servers to change (host:port, comma-separated)', kind: 'text', placeholder: '10.0.0.7:6379, 10.0.0.8:6379', hint: 'A replica that is disconnected when a rotation runs is then reported, not missed.' },
    { name: 'caFile', label: 'CA certificate file (rediss://)', kind: 'text', placeholder: '/etc/ssl/redis-ca.pem' },
    number('connectTimeoutSeconds', 'Connect timeout (seconds)', '5'),
  ],
  'aws-iam': [
    { name: 'region', label: 'STS region (optional)', kind: 'text', placeholder: 'us-east-1' },
    { name: 'iamEndpoint', label: 'IAM endpoint (optional)', kind: 'text', placeholder: 'https://iam.amazonaws.com' },
    { name: 'stsEndpoint', label: 'STS endpoint (optional)', kind: 'text', placeholder: 'https://sts.us-east-1.amazonaws.com' },
  ],
};

/** The form's values as the settings object core checks; undefined when nothing was filled in. */
export function settingsOf(kind: RegisteredServiceKind, values: ServiceFormValues): Record<string, unknown> | undefined {
  const given = (name: string) => values[name]?.trim() ?? '';
  const settings: Record<string, unknown> = {};
  for (const spec of SERVICE_FIELDS[kind]) {
    const value = given(spec.name);
    if (value === '' || spec.name === 'nodes' || spec.name === 'caFile') continue;
    settings[spec.name] = spec.kind === 'number' ? Number(value) : value;
  }
  if (kind === 'redis') {
    if (given('nodes') !== '') settings.nodes = given('nodes').split(',').map((node) => node.trim()).filter((node) => node !== '').map(hostPort);
    if (given('caFile') !== '') settings.tls = { caFile: given('caFile') };
  }
  if (kind === 'aws-iam' && given('connection') !== '') settings.connection = given('connection');
  return Object.keys(settings).length === 0 ? undefined : settings;
}

/** "host:port" as core's { host, port }; a port that is not a number is left for core to refuse by name. */
function hostPort(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return at < 0 ? { host: node, port: 6379 } : { host: node.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(node.slice(at + 1)) };
}

/** A stored service's settings as the form's values (for editing). */
export function valuesOf(kind: RegisteredServiceKind, settings: Record<string, unknown>): ServiceFormValues {
  const values: ServiceFormValues = {};
  for (const spec of SERVICE_FIELDS[kind]) {
    const value = settings[spec.name];
    if (typeof value === 'string' || typeof value === 'number') values[spec.name] = String(value);
  }
  if (kind === 'redis') {
    const nodes = settings.nodes;
    // An IPv6 host is bracketed again, as it was typed.
    if (Array.isArray(nodes)) values.nodes = nodes.map((node: { host?: unknown; port?: unknown }) => `${String(node.host).includes(':') ? `[${String(node.host)}]` : String(node.host)}:${String(node.port)}`).join(', ');
    const tls = settings.tls as { caFile?: unknown } | undefined;
    if (typeof tls?.caFile === 'string') values.caFile = tls.caFile;
  }
  if (kind === 'aws-iam' && typeof settings.connection === 'string') values.connection = settings.connection;
  return values;
}
