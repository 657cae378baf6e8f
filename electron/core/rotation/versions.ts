import { notFound } from '../errors';
import type { SecretDescription, SecretVersionInfo } from '../secrets/backend';

/**
 * The version a rollback returns to: the one labelled AWSPREVIOUS where the backend has labels, else the
 * newest enabled version other than the current one — newest by number when versions are numbers (Vault,
 * the file store), else by creation time, else by the backend's listing order.
 */
export function previousVersionOf(description: SecretDescription, currentVersion: string | undefined): SecretVersionInfo {
  const labelled = description.versions.find((version) => version.stages?.includes('AWSPREVIOUS'));
  if (labelled !== undefined && labelled.version !== currentVersion && labelled.state === 'enabled') return labelled;
  const candidates = description.versions.filter((version) => !version.current && version.version !== currentVersion && version.state === 'enabled');
  if (candidates.length === 0) {
    throw notFound(`${description.path} has no earlier enabled version to roll back to.`);
  }
  const numeric = candidates.every((version) => /^\d+$/.test(version.version));
  if (numeric) {
    const below = currentVersion !== undefined && /^\d+$/.test(currentVersion) ? candidates.filter((version) => Number(version.version) < Number(currentVersion)) : candidates;
    const pool = below.length > 0 ? below : candidates;
    return pool.reduce((best, version) => (Number(version.version) > Number(best.version) ? version : best));
  }
  if (candidates.every((version) => version.createdAt !== undefined && !Number.isNaN(Date.parse(version.createdAt)))) {
    return candidates.reduce((best, version) => (Date.parse(version.createdAt as string) > Date.parse(best.createdAt as string) ? version : best));
  }
  return candidates[0] as SecretVersionInfo;
}
