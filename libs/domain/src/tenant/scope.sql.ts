import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Scope } from './scope';

/**
 * A scope as SQL, for statements written out: ` AND <column> = $n` with the tenant pushed
 * onto `params` for a tenant's scope, nothing for the platform's. The one place a scope
 * becomes a condition, so every repository limits rows the same way.
 */
export function andScope(scope: Scope, column: string, params: unknown[]): string {
  if (scope.kind === 'platform') return '';
  params.push(scope.tenantId);
  return ` AND ${column} = $${params.length}`;
}

/** The same for a query builder: `<alias>.tenant_id = :scope_tenant` for a tenant's scope. */
export function whereScope<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  scope: Scope,
): SelectQueryBuilder<T> {
  if (scope.kind === 'tenant') {
    qb.andWhere(`${alias}.tenant_id = :scope_tenant`, { scope_tenant: scope.tenantId });
  }
  return qb;
}

/** The `tenant_id` list filter (§11), AND-ed with the scope (a session names its own). */
export function whereTenant<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  tenantId: string | undefined,
): SelectQueryBuilder<T> {
  if (tenantId !== undefined) {
    qb.andWhere(`${alias}.tenant_id = :filter_tenant`, { filter_tenant: tenantId });
  }
  return qb;
}
