/**
 * The only URLs Latchkey opens in the system browser: its own documentation and the cloud consoles it
 * links to. Anything else — other hosts, file:, javascript:, custom schemes — is dropped.
 */
export const EXTERNAL_ALLOW_LIST = [
  'https://github.com/latchkey-app/',
  'https://developer.hashicorp.com/vault/',
  'https://console.aws.amazon.com/secretsmanager/',
  'https://console.cloud.google.com/security/secret-manager',
  'https://portal.azure.com/',
] as const;

export function isAllowedExternal(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return false;
  const normalised = parsed.href;
  return EXTERNAL_ALLOW_LIST.some((prefix) => normalised.startsWith(prefix));
}

export function createExternalOpener(open: (url: string) => Promise<void>, onRefused: (url: string) => void) {
  return (url: string) => {
    if (isAllowedExternal(url)) void open(url);
    else onRefused(url);
  };
}
