import { randomUUID } from 'node:crypto';
import type { SecretClientOptions } from '@azure/keyvault-secrets';

/**
 * Azure pages a listing with `nextLink`, but @azure/keyvault-secrets 4.11 drops it: its byPage()
 * maps each page to a new array without the `continuationToken` the inner pager set. It still
 * accepts a continuation token going in. This pipeline policy (the SDK's documented extension point)
 * reads `nextLink` from the list answers it sees, so a listing can hand Azure's own token to the
 * caller:
 * - a first page is marked with a header naming a capture key; the policy removes the header before
 *   the request leaves, so Azure never sees it;
 * - a continued page is fetched by the SDK at the nextLink URL itself, so that URL is the key.
 */
/** The pipeline policy type, taken from the SDK's own options rather than a transitive package. */
type PipelinePolicy = NonNullable<SecretClientOptions['additionalPolicies']>[number]['policy'];

export const CAPTURE_HEADER = 'x-latchkey-capture-next-link';

export class NextLinkCapture {
  private readonly captured = new Map<string, string | null>();
  private readonly awaitedUrls = new Map<string, string>();

  readonly policy: PipelinePolicy = {
    name: 'latchkeyNextLinkCapture',
    sendRequest: async (request, next) => {
      let key = request.headers.get(CAPTURE_HEADER);
      if (key !== undefined) request.headers.delete(CAPTURE_HEADER);
      else key = this.awaitedUrls.get(withoutApiVersion(request.url));
      const response = await next(request);
      if (key !== undefined && response.status === 200 && typeof response.bodyAsText === 'string') {
        this.captured.set(key, nextLinkOf(response.bodyAsText));
      }
      return response;
    },
  };

  /** A key for a first page, and the header that carries it. */
  firstPage(): { key: string; headers: Record<string, string> } {
    const key = randomUUID();
    return { key, headers: { [CAPTURE_HEADER]: key } };
  }

  /** The key for a page fetched at `nextLink`. */
  continuedPage(nextLink: string): string {
    this.awaitedUrls.set(withoutApiVersion(nextLink), nextLink);
    return nextLink;
  }

  /** The nextLink of the page fetched under `key` (null: it was the last page); forgets it. */
  take(key: string): string | null | undefined {
    const link = this.captured.get(key);
    this.captured.delete(key);
    for (const [url, awaited] of this.awaitedUrls) if (awaited === key) this.awaitedUrls.delete(url);
    return link;
  }
}

function withoutApiVersion(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete('api-version');
    parsed.searchParams.sort();
    return parsed.toString();
  } catch {
    return url;
  }
}

function nextLinkOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { nextLink?: unknown };
    return typeof parsed.nextLink === 'string' && parsed.nextLink !== '' ? parsed.nextLink : null;
  } catch {
    return null;
  }
}
