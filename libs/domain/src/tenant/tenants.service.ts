import { Injectable } from '@nestjs/common';
import { retryOnConflict } from '../common/conflict-retry';
import { NotFoundError } from '../common/domain-errors';
import type { ListPage } from '../common/list-query';
import type { Tenant } from './tenant.entity';
import { TenantRepository, type TenantInput, type TenantListFilter } from './tenant.repository';

/** A tenant as a client writes it: every field may be left out (undefined or null). */
export interface TenantDraft {
  name?: string | null;
  metadata?: Record<string, string> | null;
  maxWebhooks?: number | null;
}

/** The rules of tenants (SPEC §11): defaults, full replacement, "tenant not found". */
@Injectable()
export class TenantsService {
  constructor(private readonly tenants: TenantRepository) {}

  /**
   * PUT: creates the tenant, or replaces what a client sets on it (full replacement: what
   * the draft leaves out takes its default; `created_at` is kept). `created` tells which.
   */
  put(id: string, draft: TenantDraft): Promise<{ tenant: Tenant; created: boolean }> {
    return this.tenants.put(id, withDefaults(id, draft));
  }

  list(filter: TenantListFilter): Promise<ListPage<Tenant>> {
    return this.tenants.list(filter);
  }

  async get(id: string): Promise<Tenant> {
    return (await this.tenants.findById(id)) ?? notFound();
  }

  /**
   * Deletes it with its webhooks (and their deliveries and attempts) and its events. The
   * cascade locks the tenant's webhooks and then their deliveries, as a webhook's delete
   * does, so it may meet a worker recording outcomes in the other order: PostgreSQL fails
   * one side of such a deadlock, and this side tries again (its whole transaction: see
   * TenantRepository.delete for the order it takes its locks in).
   */
  async delete(id: string): Promise<void> {
    if (!(await retryOnConflict(() => this.tenants.delete(id)))) notFound();
  }
}

function notFound(): never {
  throw new NotFoundError('tenant');
}

/**
 * The draft with its defaults: the name is the id (a platform that names its customers
 * by id needs to send nothing), no metadata, no limit on webhooks.
 */
function withDefaults(id: string, draft: TenantDraft): TenantInput {
  return {
    name: draft.name ?? id,
    metadata: draft.metadata ?? {},
    maxWebhooks: draft.maxWebhooks ?? null,
  };
}
