import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  encodeCursor,
  whereCreatedAt,
  type CreatedAtRange,
  type ListPage,
  type Page,
} from '../common/list-query';
import { rowToEntity, type Row } from '../common/rows';
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
         max_webhooks = EXCLUDED.max_webhooks, updated_at = now()
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
   */
  async list(filter: TenantListFilter): Promise<ListPage<Tenant>> {
    const qb = this.dataSource.getRepository(Tenant).createQueryBuilder('t');
    whereCreatedAt(qb, 't', filter.createdAt);
    if (filter.after) qb.andWhere('t.id > :after_id', { after_id: filter.after[0] });
    const rows = await qb
      .orderBy('t.id', 'ASC')
      .limit(filter.limit + 1)
      .offset(filter.offset)
      .getMany();
    const more = rows.length > filter.limit;
    if (more) rows.length = filter.limit;
    const last = rows[rows.length - 1];
    return { rows, nextCursor: more ? encodeCursor('tenants', [last.id]) : null };
  }

  /**
   * Deletes the tenant; its webhooks (with their deliveries and attempts) and its events
   * go with it by their foreign keys (ON DELETE CASCADE). False when there was none.
   */
  async delete(id: string): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM tenants WHERE id = $1`,
      [id],
    );
    return count > 0;
  }
}
