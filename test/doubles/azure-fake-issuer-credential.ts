import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { AzureKeyVaultFake, AzureTokenPolicy } from '../fakes/azure-key-vault-fake';

/**
 * A TokenCredential (the interface every @azure/identity credential implements) whose tokens come
 * from the Key Vault fake's issuer, where a real credential would ask Microsoft Entra ID. It records
 * what it was asked for, so tests can see the challenge scope and CAE claims the SDK passed on.
 */
export class FakeIssuerCredential implements TokenCredential {
  readonly requests: { scopes: string[]; claims: string | undefined; tenantId: string | undefined }[] = [];

  constructor(
    private readonly fake: AzureKeyVaultFake,
    private readonly policy: AzureTokenPolicy = 'all',
    private readonly failure?: Error,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.requests.push({ scopes: typeof scopes === 'string' ? [scopes] : scopes, claims: options?.claims, tenantId: options?.tenantId });
    if (this.failure !== undefined) throw this.failure;
    return this.fake.issueToken(this.policy);
  }
}
