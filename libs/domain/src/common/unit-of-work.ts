import type { DataSource, EntityManager } from 'typeorm';

/** What runs SQL: the pool (one statement, one transaction) or an open transaction. */
export type Sql = Pick<DataSource | EntityManager, 'query'>;

/**
 * An open transaction that several repositories write in, with what to do once it has
 * committed (waking the workers must wait for the commit, or they find nothing).
 */
export class UnitOfWork {
  private readonly hooks: (() => void)[] = [];

  constructor(readonly sql: EntityManager) {}

  /** Runs `hook` after the commit; never when the transaction rolls back. */
  afterCommit(hook: () => void): void {
    this.hooks.push(hook);
  }

  /** Called by whoever committed the transaction. */
  committed(): void {
    for (const hook of this.hooks.splice(0)) hook();
  }
}

/** Runs `hook` once `uow` commits, or now when there is no transaction around. */
export function afterCommit(uow: UnitOfWork | undefined, hook: () => void): void {
  if (uow) uow.afterCommit(hook);
  else hook();
}
