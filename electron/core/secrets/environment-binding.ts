import type { ConfigFile, EnvironmentConfig, ProjectConfig, StoredConnection } from '../config/config-file';
import { invalidInput } from '../errors';
import type { BackendScheme, SecretBackend } from './backend';
import type { BackendRegistry } from './backend-registry';
import { connectionBindingPaths, fileBindingPaths, type BindingPaths } from './binding-paths';
import type { BindingResolver, BoundEnvironment } from './environment-secrets';
import { SCHEME_FEATURES, SCHEME_LABELS, type SchemeFeatures } from './scheme-features';

/**
 * Where an environment's secrets live: its directory of the local store, or a prefix on a named
 * connection, opened through the registry (one backend per connection, reused). Describing a binding
 * needs no backend, so the project list never waits on a remote service.
 */
export interface BindingDescription {
  scheme: BackendScheme;
  /** "Vault", "AWS Secrets Manager", "Local encrypted store"… */
  backend: string;
  /** The connection's name, for connection bindings. */
  connection?: string;
  location: string;
  features: SchemeFeatures;
}

function findConnection(connections: StoredConnection[], project: ProjectConfig, environment: EnvironmentConfig, name: string): StoredConnection {
  const stored = connections.find((candidate) => candidate.name === name);
  if (stored === undefined) {
    throw invalidInput(`"${project.name}/${environment.name}" is bound to connection "${name}", which no longer exists. Bind it to another connection.`);
  }
  return stored;
}

function pathsOf(connections: StoredConnection[], project: ProjectConfig, environment: EnvironmentConfig): { scheme: BackendScheme; paths: BindingPaths; stored?: StoredConnection } {
  const binding = environment.binding;
  if (binding.backend === 'file') return { scheme: 'file', paths: fileBindingPaths(project.name, environment.name) };
  const stored = findConnection(connections, project, environment, binding.connection);
  return { scheme: stored.connection.kind, paths: connectionBindingPaths(stored.connection, binding.prefix), stored };
}

/** What the app shows for an environment's storage; a broken binding is described, not thrown. */
export function describeBinding(connections: StoredConnection[], project: ProjectConfig, environment: EnvironmentConfig): BindingDescription {
  const binding = environment.binding;
  try {
    const { scheme, paths } = pathsOf(connections, project, environment);
    return {
      scheme,
      backend: SCHEME_LABELS[scheme],
      ...(binding.backend === 'connection' ? { connection: binding.connection } : {}),
      location: paths.location,
      features: SCHEME_FEATURES[scheme],
    };
  } catch {
    const name = binding.backend === 'connection' ? binding.connection : '';
    return { scheme: 'file', backend: 'Missing connection', connection: name, location: `connection "${name}" no longer exists`, features: SCHEME_FEATURES.file };
  }
}

/** An environment as listed by the app and the CLI: its name, colour, protection and where it keeps its secrets. */
export function summarizeEnvironment(connections: StoredConnection[], project: ProjectConfig, environment: EnvironmentConfig) {
  const described = describeBinding(connections, project, environment);
  return {
    summary: {
      name: environment.name,
      colour: environment.colour,
      protected: environment.protected,
      backend: described.backend,
      location: described.location,
      ...(described.connection === undefined ? {} : { connection: described.connection }),
    },
    features: described.features,
  };
}

export function createBindingResolver(deps: { config: ConfigFile; registry: BackendRegistry; fileBackend: SecretBackend }): BindingResolver {
  return async (project, environment): Promise<BoundEnvironment> => {
    const { scheme, paths, stored } = pathsOf((await deps.config.read()).connections, project, environment);
    const backend =
      stored === undefined
        ? deps.fileBackend
        : await deps.registry.resolve({ scheme, path: paths.listPrefix === '' ? '-' : paths.listPrefix }, { name: stored.name, connection: stored.connection });
    return { backend, prefix: paths.listPrefix, pathOf: paths.pathOf, keyOf: paths.keyOf, label: SCHEME_LABELS[scheme] };
  };
}
