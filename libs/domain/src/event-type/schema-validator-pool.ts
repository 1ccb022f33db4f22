import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SchemaThread } from './pooled-schema-thread';
import { threadCpuMs } from './thread-cpu-time';

/**
 * How much CPU time one validation may use in its schema thread, from the moment its
 * payload is sent to the thread to its answer. Past it the thread is terminated (a
 * validation cannot be interrupted any other way) and a new one started. CPU time, not
 * wall-clock time: on a busy machine a validation that needs 20 ms of CPU can wait longer
 * than the deadline for a core, and its payload is not the producer's fault. Where a
 * thread's CPU time cannot be read (no Linux /proc, or a reading that stands still), it is
 * wall-clock time, and a validation past it is `overloaded`, not `timedOut` (see Verdict).
 */
export const VALIDATION_DEADLINE_MS = 250;
/**
 * The wall-clock bound, in deadlines, of a validation whose thread uses less CPU than the
 * deadline: 20 × 250 ms = 5 s. A request must be answered in bounded time even when the
 * thread gets almost no CPU (a starved machine); 5 s is far beyond any starvation a
 * validation that fits its deadline meets on a working machine. Reaching it is the
 * machine's fault, not the payload's: the verdict is `overloaded`.
 */
const WALL_CLOCK_CAP_DEADLINES = 20;
/** Schema threads per process. */
export const SCHEMA_THREADS = 2;

/** A schema as the threads take it: its JSON and the hash they keep it by. */
export interface ThreadSchema {
  readonly hash: string;
  readonly json: string;
}

/**
 * What a validation found: the schema's problems with the payload; `timedOut`, the
 * validation used more than the deadline's CPU time (or the thread's heap), so the payload
 * is too costly for the schema, whatever the machine; or `overloaded`, no answer and
 * nothing that says the payload is costly: the wall-clock cap passed while the thread had
 * used less CPU than the deadline (it was starved of CPU), or the deadline was judged by
 * wall-clock time alone, which cannot tell a costly payload from a busy machine. An
 * `overloaded` check may well succeed when tried again; a `timedOut` one will not.
 */
export type Verdict =
  { timedOut: false; problems: string[] } | { timedOut: true } | { overloaded: true };

/** A thread's CPU time (ms) read by the name currentThread gives it, null when unreadable. */
export type CpuReader = (thread: string) => number | null;

/** What the schema threads read from their pool at each decision. */
export interface PoolSettings {
  readonly deadlineMs: number;
  readonly capDeadlines: number;
  readonly readCpu: CpuReader;
  /** Schemas a thread keeps compiled (schema-thread.ts); undefined: its own default. */
  readonly threadSchemas?: number;
}

/** @internal The messages between the pool and a schema thread (schema-thread.ts). */
export interface ThreadRequest {
  id: number;
  hash: string;
  schema?: string;
  payload: string;
}
/** @internal */
export type ThreadReply =
  | { id: number; problems: string[] }
  | { id: number; missing: true }
  | { ready: true; thread: string | null };

/**
 * Checks payloads against catalogue schemas in a few worker threads, each validation
 * within VALIDATION_DEADLINE_MS of CPU time whatever the schema and the payload (and within
 * WALL_CLOCK_CAP_DEADLINES of them of wall-clock time whatever the machine): a schema's shape
 * (references that fan out, `uniqueItems` over a long array, a pattern that backtracks)
 * can make a validation take seconds or forever, and in the event loop it would hold
 * every request of the process. Each thread keeps its schemas compiled by hash (a schema
 * crosses to a thread once, then only payloads do); a validation waits for a thread that
 * is free, the one with the shortest queue. Threads start on the first validation and do
 * not keep the process alive.
 */
@Injectable()
export class SchemaValidatorPool implements OnModuleDestroy, PoolSettings {
  private readonly threads: SchemaThread[] = [];
  /** VALIDATION_DEADLINE_MS; a test may set another. */
  deadlineMs = VALIDATION_DEADLINE_MS;
  /** WALL_CLOCK_CAP_DEADLINES; a test may set another. */
  capDeadlines = WALL_CLOCK_CAP_DEADLINES;
  /**
   * How the threads' CPU time is read: threadCpuMs (/proc). A test may set another, as a
   * machine would behave: `() => null` where /proc cannot be read, a constant where it
   * reads still, a fraction of the truth for a thread starved of CPU.
   */
  readCpu: CpuReader = threadCpuMs;
  /** Schemas a thread keeps compiled; a test may set fewer before the first check. */
  threadSchemas?: number;

  /** The schema's problems with `payload` (none: it matches), timedOut or overloaded. */
  check(schema: ThreadSchema, payload: string): Promise<Verdict> {
    if (this.threads.length === 0) {
      for (let i = 0; i < SCHEMA_THREADS; i++) this.threads.push(new SchemaThread(this));
    }
    const thread = this.threads.reduce((best, t) =>
      t.load() < best.load() || (t.load() === best.load() && t.knows(schema.hash)) ? t : best,
    );
    return new Promise<Verdict | Error>((settle) => thread.run({ schema, payload, settle })).then(
      (verdict) => {
        if (verdict instanceof Error) throw verdict;
        return verdict;
      },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.threads.splice(0).map((t) => t.stop()));
  }
}
