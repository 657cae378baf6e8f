import { userInfo } from 'node:os';

/** The OS account running Latchkey, for audit entries. userInfo() throws where the uid has no passwd entry (containers). */
export function currentOsUser(env: Record<string, string | undefined> = process.env): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = env.USER ?? env.USERNAME ?? env.LOGNAME;
  }
  const cleaned = (name ?? '').replace(/\p{Cc}/gu, '').slice(0, 128);
  if (cleaned !== '') return cleaned;
  return typeof process.getuid === 'function' ? `uid:${process.getuid()}` : 'unknown';
}
