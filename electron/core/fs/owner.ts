/**
 * write-file-atomic gives a replaced file its old owner unless told otherwise, so root writing over a
 * file of `nobody` would hand the new content to `nobody`. Every file Latchkey writes belongs to the
 * user running it: this is the option that says so (empty where there are no uids, on Windows).
 */
export function ownedByUs(): { chown?: { uid: number; gid: number } } {
  if (typeof process.getuid !== 'function' || typeof process.getgid !== 'function') return {};
  return { chown: { uid: process.getuid(), gid: process.getgid() } };
}
