import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { PAGE_BODY_BUDGET_BYTES } from '../common/bounded-page';
import {
  encodeCursor,
  whereCreatedAt,
  type CreatedAtRange,
  type ListPage,
  type Page,
} from '../common/list-query';
import { rowToEntity, type Row } from '../common/rows';
import { tenantIdempotencyScope } from '../idempotency/idempotency.service';
import { Tenant } from './tenant.entity';

/** What a client sets on a tenant, every field given (the service fills in defaults). */
export interface TenantInput {
  name: string;
  metadata: Record<string, string>;
  maxWebhooks: number | null;
}

export interface TenantListFilter extends Page {
  createdAt?: CreatedAtRange;
}

/** Every statement about tenants. */
@Injectable()
export class TenantRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates the tenant or replaces what a client sets on it (PUT), in one statement, so
   * two PUTs of a new id at once give one row, never a duplicate-key error. `created_at`
   * is kept; `created` tells which happened: a row this statement inserted has no `xmax`
   * (no transaction has locked or updated it), one it updated has this transaction's.
   */
  async put(id: string, input: TenantInput): Promise<{ tenant: Tenant; created: boolean }> {
    const rows = await this.dataSource.query<Row[]>(
      `INSERT INTO tenants AS t (id, name, metadata, max_webhooks) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, metadata = EXCLUDED.metadata,
         max_webhooks = EXCLUDED.max_webhooks, updated_at = greatest(now(), t.created_at)
       RETURNING t.*, (t.xmax = 0) AS created`,
      [id, input.name, JSON.stringify(input.metadata), input.maxWebhooks],
    );
    return {
      tenant: rowToEntity(this.dataSource, Tenant, rows[0]),
      created: rows[0].created === true,
    };
  }

  findById(id: string): Promise<Tenant | null> {
    return this.dataSource.getRepository(Tenant).findOneBy({ id });
  }

  /**
   * Ordered by id (byte by byte: the column's collation is "C"), the primary key's order,
   * so a page is an index range scan however deep; after a cursor, the ids that follow
   * its id. One row beyond the page tells whether another page follows.
   *
   * A page is budgeted (SPEC §3: the API's memory stays bounded while it sends a page):
   * a tenant's metadata may take about 111 KB of JSON (32 values of 512 control
   * characters, each written as six), so a full page of them would be 111 MB. The ids
   * come first, each with its metadata's JSON size (jsonb's text is its JSON); the page
   * ends before the tenant whose metadata would take it past PAGE_BODY_BUDGET_BYTES
   * (never before the first), with a cursor to go on; then only those tenants are read.
   */
  async list(filter: TenantListFilter): Promise<ListPage<Tenant>> {
    const qb = this.dataSource
      .getRepository(Tenant)
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .addSelect('octet_length(t.metadata::text)', 'size')
      .addSelect('sum(octet_length(t.metadata::text)) OVER (ORDER BY t.id)', 'running');
    whereCreatedAt(qb, 't', filter.createdAt);
    if (filter.after) qb.andWhere('t.id > :after_id', { after_id: filter.after[0] });
    const sizes = await qb
      .orderBy('t.id', 'ASC')
      .limit(filter.limit + 1)
      .offset(filter.offset)
      .getRawMany<{ id: string; size: string; running: string }>();
    // The running sum counts from the first row the filter matches, the offset's included.
    const base = sizes.length > 0 ? Number(sizes[0].running) - Number(sizes[0].size) : 0;
    const ids: string[] = [];
    for (const row of sizes.slice(0, filter.limit)) {
      const before = Number(row.running) - Number(row.size) - base;
      if (ids.length > 0 && before + Number(row.size) > PAGE_BODY_BUDGET_BYTES) break;
      ids.push(row.id);
    }
    const more = sizes.length > ids.length;
    const rows =
      ids.length === 0
        ? []
        : (await this.dataSource.getRepository(Tenant).findBy({ id: In(ids) })).sort((a, b) =>
            a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
          );
    const last = rows[rows.length - 1];
    return { rows, nextCursor: more && last ? encodeCursor('tenants', [last.id]) : null };
  }

  /**
   * Deletes the tenant; its webhooks (with their deliveries and attempts), its events and
   * its portal sessions go with it by their foreign keys (ON DELETE CASCADE). False when
   * there was none. Several statements, in one transaction, each taking its locks in the
   * order the writers racing it take theirs, so that they wait for each other instead of
   * deadlocking (which the cascade alone, locking rows in its own order, could):
   *
   * 1. The tenant's row, FOR NO KEY UPDATE: webhook creates for the tenant take the same
   *    lock first (WebhookRepository.forTenant), so none can add a webhook after step 2
   *    has locked the existing ones (a webhook created in between was not locked by it,
   *    and a publish holding that one while waiting for a locked one deadlocked with the
   *    DELETE). A create is waited for, then finds no tenant (404). The publishes' and
   *    the foreign keys' KEY SHARE does not wait for this lock.
   * 2. Its webhooks, FOR UPDATE in id order, as the fan-out and the redeliveries lock the
   *    webhooks they write for (KEY SHARE, in id order, before the events or the tenant).
   * 3. The DELETE, whose cascade then reaches only rows no writer is still to lock first.
   *
   * Its sessions' idempotency keys go too (they name no tenant row to cascade from): a
   * tenant made again under the same id must not replay the old one's responses.
   */
  async delete(id: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const tenants = await tx.query<unknown[]>(
        `SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE`,
        [id],
      );
      if (tenants.length === 0) return false;
      await tx.query(`SELECT 1 FROM webhooks WHERE tenant_id = $1 ORDER BY id FOR UPDATE`, [id]);
      const [, count] = await tx.query<[unknown, number]>(`DELETE FROM tenants WHERE id = $1`, [
        id,
      ]);
      await tx.query(`DELETE FROM idempotency_keys WHERE scope = $1`, [tenantIdempotencyScope(id)]);
      return count > 0;
    });
  }
}
