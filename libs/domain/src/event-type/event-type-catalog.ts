import { Injectable, Logger } from '@nestjs/common';
import { InvalidFieldError } from '../common/domain-errors';
import type { Sql } from '../common/unit-of-work';
import { CompiledSchema } from './compiled-schema';
import { EventTypeRepository } from './event-type.repository';

/**
 * A catalogue entry as publishing sees it: null when the type is not in the catalogue.
 * `unusable`: its stored schema breaks today's rules (stored by an older version, or by
 * hand), so no payload can be checked against it; why, for the log.
 */
export type KnownType = {
  deprecated: boolean;
  schema: CompiledSchema | null;
  unusable?: string;
} | null;

/** How long a process trusts what it read of a type before reading it again. */
export const CATALOG_REFRESH_MS = 2000;
/** Names remembered (types and names not in the catalogue alike); the oldest go first. */
const MAX_NAMES = 10_000;
/** Compiled schemas kept, by the hash of their JSON; the least recently used go first. */
const MAX_SCHEMAS = 1000;

interface Cached {
  type: KnownType;
  readAt: number;
}

/**
 * The catalogue as publishing reads it (§14), per API process, without a query per
 * publish: what a type is (absent, deprecated, its schema) is read once and trusted for
 * CATALOG_REFRESH_MS, then read again (its deprecation and its schema's hash only: a few
 * bytes). A schema is compiled once per version, keyed by the SHA-256 of its stored JSON,
 * and shared by every request and every name that has it; it is read in full only when
 * its hash is new to the process.
 *
 * A PUT or DELETE in this process forgets the name at once, so this process publishes by
 * the new version from its next request; another API process follows within
 * CATALOG_REFRESH_MS (plus one read). Concurrent lookups of one name without a
 * transaction share one read; a lookup in a transaction reads on it, alone (see lookup).
 */
@Injectable()
export class EventTypeCatalog {
  private readonly names = new Map<string, Cached>();
  private readonly reading = new Map<string, Promise<KnownType>>();
  private readonly schemas = new Map<string, CompiledSchema>();
  /** Counts forget()s: a read that began before one is not kept. */
  private forgets = 0;
  private readonly logger = new Logger(EventTypeCatalog.name);

  constructor(private readonly types: EventTypeRepository) {}

  /**
   * What `name` is in the catalogue now (as of at most CATALOG_REFRESH_MS ago).
   *
   * `sql`: the caller's open transaction, if it has one, is where its read runs, and that
   * read is its own. Joining another caller's read, which waits for a pooled connection,
   * would have a request that holds a connection wait for a second one: with the pool full
   * of such requests (idempotent publishes), none gets one and all fail. Callers without
   * a transaction share one read of a name.
   */
  async lookup(name: string, sql?: Sql): Promise<KnownType> {
    const cached = this.names.get(name);
    if (cached && Date.now() - cached.readAt < CATALOG_REFRESH_MS) return cached.type;
    if (sql) return this.readAndKeep(name, sql);
    const pending = this.reading.get(name);
    if (pending) return pending;
    const read = this.readAndKeep(name).finally(() => {
      if (this.reading.get(name) === read) this.reading.delete(name);
    });
    this.reading.set(name, read);
    return read;
  }

  /** Forgets what this process read (or is reading) of `name`: it was just written here. */
  forget(name: string): void {
    this.forgets++;
    this.names.delete(name);
    this.reading.delete(name);
  }

  /** A schema compiled elsewhere (a PUT's check), kept for the publishes that follow. */
  remember(schema: CompiledSchema): void {
    this.keep(schema);
  }

  /** Reads `name` and keeps what it read, unless a write here forgot the name meanwhile. */
  private async readAndKeep(name: string, sql?: Sql): Promise<KnownType> {
    const [readAt, forgets] = [Date.now(), this.forgets];
    const type = await this.read(name, sql);
    if (this.forgets === forgets) this.store(name, { type, readAt });
    return type;
  }

  private async read(name: string, sql?: Sql): Promise<KnownType> {
    const head = await this.types.head(name, sql);
    if (!head) return null;
    try {
      return {
        deprecated: head.deprecated,
        schema: await this.compiled(name, head.schemaHash, sql),
      };
    } catch (err) {
      if (!(err instanceof InvalidFieldError)) throw err;
      // Kept as unusable for CATALOG_REFRESH_MS, like any read: logged once per read.
      this.logger.error(`the stored schema of event type ${name} cannot be used: ${err.problem}`);
      return { deprecated: head.deprecated, schema: null, unusable: err.problem };
    }
  }

  private store(name: string, cached: Cached): void {
    this.names.delete(name);
    this.names.set(name, cached);
    if (this.names.size > MAX_NAMES) this.names.delete(this.names.keys().next().value!);
  }

  /** The compiled schema of that hash: kept, or read and compiled once. */
  private async compiled(
    name: string,
    hash: string | null,
    sql?: Sql,
  ): Promise<CompiledSchema | null> {
    if (hash === null) return null;
    const kept = this.schemas.get(hash);
    if (kept) {
      this.keep(kept);
      return kept;
    }
    const stored = await this.types.schema(name, sql);
    if (!stored) return null;
    const compiled = CompiledSchema.compile(stored.schema, stored.hash);
    this.keep(compiled);
    return compiled;
  }

  private keep(schema: CompiledSchema): void {
    this.schemas.delete(schema.hash);
    this.schemas.set(schema.hash, schema);
    if (this.schemas.size > MAX_SCHEMAS) this.schemas.delete(this.schemas.keys().next().value!);
  }
}
