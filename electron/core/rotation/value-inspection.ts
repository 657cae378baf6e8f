/**
 * What a secret's value looks like, for the rotation rule: a URL (with credentials inside or not), or a
 * credential issued by a provider recognisable by its prefix. The value is looked at in the main process
 * only; what leaves this module is a URL scheme or a provider's name — never a part of the value.
 */
export interface ValueInspection {
  /** The value is a URL; `credentials`: it has a user name and/or password inside (postgres://user:pw@host). */
  url?: { scheme: string; credentials: boolean };
  /** Who issued the value, when its prefix says so (e.g. "Stripe (live secret key)"). */
  provider?: string;
}

/**
 * Prefixes that name the service that issued a credential. Each such value is rotated at that service
 * (a new key is issued there and the old one revoked); a random value in its place would be refused.
 */
const PROVIDER_PREFIXES: readonly (readonly [prefix: string, provider: string])[] = [
  ['sk_live_', 'Stripe (live secret key)'],
  ['sk_test_', 'Stripe (test secret key)'],
  ['rk_live_', 'Stripe (live restricted key)'],
  ['rk_test_', 'Stripe (test restricted key)'],
  ['pk_live_', 'Stripe (live publishable key)'],
  ['whsec_', 'Stripe (webhook signing secret)'],
  ['github_pat_', 'GitHub (fine-grained token)'],
  ['ghp_', 'GitHub (personal access token)'],
  ['gho_', 'GitHub (OAuth token)'],
  ['ghu_', 'GitHub (user-to-server token)'],
  ['ghs_', 'GitHub (app installation token)'],
  ['ghr_', 'GitHub (refresh token)'],
  ['glpat-', 'GitLab (personal access token)'],
  ['glrt-', 'GitLab (runner token)'],
  ['xoxb-', 'Slack (bot token)'],
  ['xoxp-', 'Slack (user token)'],
  ['xoxa-', 'Slack (app token)'],
  ['xapp-', 'Slack (app-level token)'],
  ['AKIA', 'AWS (access key)'],
  ['ASIA', 'AWS (temporary access key)'],
  ['AIza', 'Google (API key)'],
  ['SG.', 'SendGrid (API key)'],
  ['npm_', 'npm (access token)'],
  ['pypi-', 'PyPI (API token)'],
  ['sk-ant-', 'Anthropic (API key)'],
  ['sk-proj-', 'OpenAI (project API key)'],
  ['shpat_', 'Shopify (access token)'],
  ['shpss_', 'Shopify (shared secret)'],
  ['dop_v1_', 'DigitalOcean (API token)'],
  ['hvs.', 'HashiCorp Vault (service token)'],
];

/** A URL's scheme as it may be shown: letters, digits, + . - (at most 32). */
const URL_START = /^([A-Za-z][A-Za-z0-9+.-]{0,31}):\/\//;

export function inspectValue(value: string): ValueInspection {
  const text = value.trim();
  const inspection: ValueInspection = {};
  const url = urlOf(text);
  if (url !== undefined) inspection.url = url;
  const provider = PROVIDER_PREFIXES.find(([prefix]) => text.startsWith(prefix) && text.length > prefix.length + 8)?.[1];
  if (provider !== undefined) inspection.provider = provider;
  return inspection;
}

/**
 * Any `scheme://…` without whitespace is a URL (multi-host DSNs such as redis://a:1,b:2 included, which a
 * URL parser refuses); it has credentials when its authority holds a user-info part before an `@`.
 */
function urlOf(text: string): ValueInspection['url'] {
  const match = URL_START.exec(text);
  if (match === null || /\s/.test(text) || text.length === match[0].length) return undefined;
  const authority = /^[^/?#]*/.exec(text.slice(match[0].length))?.[0] ?? '';
  const at = authority.lastIndexOf('@');
  return { scheme: (match[1] as string).toLowerCase(), credentials: at > 0 };
}
