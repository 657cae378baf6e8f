import { invalidInput } from '../../../errors';
import { handsfreeGcpSecretId } from '../../handsfree-layout';

/**
 * `gcp://<name>[@<version>]` (a secret of the connection's project; with the HandsFree layout <name>
 * is the seed's key, made into `<prefix>-<normalised key>`) and
 * `gcp://projects/<project>/secrets/<name>[@<version>]` (verbatim, any project).
 */
export interface GcpLayoutOptions {
  projectId: string;
  layout: 'native' | 'handsfree';
  keyPrefix: string;
}

export interface GcpTarget {
  project: string;
  secretId: string;
  /** "latest" or a version number. */
  version: string | undefined;
}

export const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
export const PROJECT = /^([a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20})$/;
const FULL = /^projects\/([^/]+)\/secrets\/([^/]+)$/;
const VERSION = /^(latest|[1-9]\d{0,18})$/;

export function checkProject(project: string): string {
  if (!PROJECT.test(project)) throw invalidInput(`"${project.slice(0, 40)}" is not a Google Cloud project id (GCP_PROJECT_ID): 6 to 30 lower-case letters, digits and "-", or a project number.`);
  return project;
}

export function checkVersion(version: string): string {
  if (!VERSION.test(version)) throw invalidInput(`"${version.slice(0, 40)}" is not a Google secret version: use "latest" or a version number.`);
  return version;
}

export function resolveGcpTarget(path: string, options: GcpLayoutOptions): GcpTarget {
  const at = path.lastIndexOf('@');
  const name = at === -1 ? path : path.slice(0, at);
  const version = at === -1 ? undefined : checkVersion(path.slice(at + 1));
  const full = FULL.exec(name);
  if (full !== null) {
    const [, project, secretId] = full as unknown as [string, string, string];
    return { project: checkProject(project), secretId: checkSecretId(secretId), version };
  }
  const secretId = options.layout === 'handsfree' ? handsfreeGcpSecretId(name, options.keyPrefix) : name;
  return { project: options.projectId, secretId: checkSecretId(secretId), version };
}

export function checkSecretId(secretId: string): string {
  if (!SECRET_ID.test(secretId)) {
    throw invalidInput(`"${secretId.slice(0, 80)}" is not a Google secret name: 1 to 255 letters, digits, "_" and "-" (or use gcp://projects/<project>/secrets/<name>).`);
  }
  return secretId;
}

export function secretName(target: GcpTarget): string {
  return `projects/${target.project}/secrets/${target.secretId}`;
}

export function describeTarget(target: GcpTarget): string {
  return `secret "${target.secretId}"${target.version === undefined ? '' : ` version ${target.version}`}`;
}

/** The last segment of a resource name ("projects/1/secrets/s/versions/3" → "3"). */
export function lastSegment(name: string | null | undefined): string | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  return name.slice(name.lastIndexOf('/') + 1);
}
