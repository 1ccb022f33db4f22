/**
 * Whose data a read may see (§11, §12): the platform's, which is everything, or one
 * tenant's. Every repository read of a tenant-owned table (webhooks, deliveries, delivery
 * attempts, events) takes one as a required argument, so isolation is a property of the
 * signatures: a read that forgets the tenant does not compile, and the platform's own
 * unrestricted reads say so with PLATFORM_SCOPE rather than by leaving the argument out.
 */
export type Scope = PlatformScope | TenantScope;

export interface PlatformScope {
  readonly kind: 'platform';
}

export interface TenantScope {
  readonly kind: 'tenant';
  readonly tenantId: string;
}

/** The platform's own access: every tenant's rows and the platform's. */
export const PLATFORM_SCOPE: PlatformScope = Object.freeze({ kind: 'platform' });

/** One tenant's access (a portal session's). */
export function tenantScope(tenantId: string): TenantScope {
  return Object.freeze({ kind: 'tenant', tenantId });
}

/** The tenant a scope is limited to; undefined for the platform's. */
export function scopedTenant(scope: Scope): string | undefined {
  return scope.kind === 'tenant' ? scope.tenantId : undefined;
}
