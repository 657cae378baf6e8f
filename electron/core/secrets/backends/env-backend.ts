import { invalidInput, notFound } from '../../errors';
import type { BackendCapabilities, DeleteOptions, ListOptions, ListPage, ReadResult, SecretBackend, SecretDescription, WriteOptions, WriteResult } from '../backend';
import { pageOfPaths } from '../client-side-paging';
import { HANDSFREE_ENV_PREFIX, handsfreeEnvName } from '../handsfree-layout';
import { assertValueFits } from '../value-limits';

/**
 * `env://VAR`: environment variables of this process (the seed's EnvSecretManager, for development).
 * Writes change only the given environment object, so they last as long as the process. Keys map to
 * variables by the seed's rule: prefix + key upper-cased with "-", "." and "/" turned into "_".
 */
export interface EnvBackendOptions {
  /** The environment to read and change: process.env in the CLI, a copy in tests. */
  env: Record<string, string | undefined>;
  /** Prefix of variables made from keys (pathForKey); the seed's is HANDSFREE_SECRET_. */
  keyPrefix?: string;
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

/** Linux refuses one environment string over 128 KiB to a child process; leave room for the name. */
export const ENV_MAX_VALUE_BYTES = 128 * 1024 - 512;

export class EnvBackend implements SecretBackend {
  readonly scheme = 'env' as const;
  readonly capabilities: BackendCapabilities = { versions: false, softDelete: false, metadata: false, checkAndSet: false, maxValueBytes: ENV_MAX_VALUE_BYTES };
  readonly location = 'environment variables of this process';
  private readonly env: Record<string, string | undefined>;
  private readonly keyPrefix: string;

  constructor(options: EnvBackendOptions) {
    this.env = options.env;
    this.keyPrefix = options.keyPrefix ?? HANDSFREE_ENV_PREFIX;
    if (this.keyPrefix !== '' && !VARIABLE.test(this.keyPrefix)) {
      throw invalidInput(`The environment prefix "${this.keyPrefix.slice(0, 64)}" is not a valid variable name start: use letters, digits and "_".`);
    }
  }

  pathForKey(key: string): string {
    return variableName(handsfreeEnvName(key, this.keyPrefix));
  }

  async get(path: string, options?: { version?: string }): Promise<ReadResult> {
    const name = variableName(path);
    if (options?.version !== undefined) throw invalidInput('Environment variables have no versions; read env://' + name + ' without one.');
    const value = this.env[name];
    if (value === undefined) throw notFound(`The environment variable ${name} is not set. Set it, or check the reference env://${name}.`);
    return { value };
  }

  async set(path: string, value: string, _options?: WriteOptions): Promise<WriteResult> {
    const name = variableName(path);
    if (value.includes('\0')) throw invalidInput(`An environment variable cannot hold a NUL character; ${name} was not changed.`);
    assertValueFits(value, ENV_MAX_VALUE_BYTES, 'an environment variable');
    this.env[name] = value;
    return {};
  }

  async delete(path: string, _options?: DeleteOptions): Promise<void> {
    const name = variableName(path);
    if (this.env[name] === undefined) throw notFound(`The environment variable ${name} is not set, so there is nothing to delete.`);
    delete this.env[name];
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const names = Object.keys(this.env).filter((name) => VARIABLE.test(name) && this.env[name] !== undefined);
    return pageOfPaths(names, prefix, options);
  }

  async describe(path: string): Promise<SecretDescription> {
    const name = variableName(path);
    if (this.env[name] === undefined) throw notFound(`The environment variable ${name} is not set.`);
    return { path: name, versions: [] };
  }
}

function variableName(path: string): string {
  if (!VARIABLE.test(path)) {
    throw invalidInput(`"${path.slice(0, 80)}" is not an environment variable name: use letters, digits and "_", not starting with a digit (e.g. env://HANDSFREE_SECRET_GITHUB_TOKEN).`);
  }
  return path;
}
