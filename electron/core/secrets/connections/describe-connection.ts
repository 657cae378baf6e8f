import type { Connection } from './connection-schema';

/** Where a connection points, for people, from its settings alone (no request, never a credential). */
export function describeConnection(connection: Connection): string {
  switch (connection.kind) {
    case 'env':
      return `variables ${connection.prefix}*`;
    case 'keychain':
      return `service ${connection.service}`;
    case 'vault':
      return `${hostOf(connection.address)}${connection.namespace === undefined ? '' : ` · namespace ${connection.namespace}`} · mount ${connection.mount}${connection.layout === 'handsfree' ? ' · HandsFree layout' : ''}`;
    case 'aws':
      return `${connection.region}${connection.endpoint === undefined ? '' : ` at ${hostOf(connection.endpoint)}`}${connection.layout === 'handsfree' ? ' · HandsFree layout' : ''}`;
    case 'gcp':
      return `project ${connection.projectId}${connection.endpoint === undefined ? '' : ` at ${hostOf(connection.endpoint)}`}${connection.layout === 'handsfree' ? ' · HandsFree layout' : ''}`;
    case 'azure':
      return connection.vaultName ?? (connection.vaultUrl === undefined ? 'vault named in each reference' : hostOf(connection.vaultUrl));
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
