import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { threadCpuMs } from './thread-cpu-time';

/**
 * How much CPU time one validation may use in its schema thread, from the moment its
 * payload is sent to the thread to its answer. Past it the thread is terminated (a
 * validation cannot be interrupted any other way) and a new one started. CPU time, not
 * wall-clock time: on a busy machine a validation that needs 20 ms of CPU can wait longer
 * than the deadline for a core, and its payload is not the producer's fault. Where a
 * thread's CPU time cannot be read (no Linux /proc), it is wall-clock time.
 */
export const VALIDATION_DEADLINE_MS = 250;
/**
 * The wall-clock bound, in deadlines, of a validation whose thread uses less CPU than the
 * deadline: 20 × 250 ms = 5 s. A request must be answered in bounded time even when the
 * thread gets almost no CPU (a starved machine); 5 s is far beyond any starvation a
 * validation that fits its deadline meets on a working machine, and still well within
 * what an HTTP client waits for an answer.
 */
const WALL_CLOCK_CAP_DEADLINES = 20;
/** Schema threads per process. */
export const SCHEMA_THREADS = 2;
/** A schema thread's heap: a validation that needs more fails as one past its deadline. */
const THREAD_HEAP_MB = 256;
/** Hashes remembered as sent to a thread; past it the set starts over (schemas resent). */
const MAX_SENT = 10_000;

/** A schema as the threads take it: its JSON and the hash they keep it by. */
export interface ThreadSchema {
  readonly hash: string;
  readonly json: string;
}

/** What a validation found: the schema's problems with the payload, or no answer in time. */
export type Verdict = { timedOut: false; problems: string[] } | { timedOut: true };

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

interface Job {
  schema: ThreadSchema;
  payload: string;
  settle: (verdict: Verdict | Error) => void;
}

/** The job a thread is running, since when, and its OS thread's CPU time (ms) then if known. */
interface Running {
  job: Job;
  id: number;
  timer: NodeJS.Timeout;
  sentAt: number;
  cpu: { thread: string; atSend: number } | null;
}

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
export class SchemaValidatorPool implements OnModuleDestroy {
  private readonly threads: SchemaThread[] = [];
  /** VALIDATION_DEADLINE_MS; a test may set another before the first check. */
  deadlineMs = VALIDATION_DEADLINE_MS;

  /** The schema's problems with `payload` (none: it matches), or timedOut. */
  check(schema: ThreadSchema, payload: string): Promise<Verdict> {
    if (this.threads.length === 0) {
      for (let i = 0; i < SCHEMA_THREADS; i++) this.threads.push(new SchemaThread(this.deadlineMs));
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

/** One worker thread, one validation at a time, the rest queued. */
class SchemaThread {
  private worker!: Worker;
  private sent = new Set<string>();
  private readonly queue: Job[] = [];
  private current: Running | null = null;
  private nextId = 0;
  private stopped = false;
  /** The thread has loaded its code: the deadline counts from a send, not from a start. */
  private ready = false;
  /** The thread's OS thread under /proc, to read its CPU time; null: count wall-clock time. */
  private osThread: string | null = null;

  constructor(private readonly deadlineMs: number) {
    this.start();
  }

  load(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  knows(hash: string): boolean {
    return this.sent.has(hash);
  }

  run(job: Job): void {
    this.queue.push(job);
    this.next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const err = new Error('the schema threads stopped');
    this.finish(err);
    for (const job of this.queue.splice(0)) job.settle(err);
    await this.worker.terminate();
  }

  private start(): void {
    const worker = spawn();
    worker.unref();
    worker.on('message', (reply: ThreadReply) => this.onReply(worker, reply));
    worker.on('error', (err) => this.restart(worker, err));
    worker.on('exit', () => this.restart(worker, new Error('a schema thread exited')));
    this.worker = worker;
    this.sent = new Set();
    this.ready = false;
    this.osThread = null;
  }

  /** The thread failed (out of memory, or an error it did not catch): the job with it. */
  private restart(worker: Worker, err: Error): void {
    if (worker !== this.worker || this.stopped) return;
    const outOfMemory = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
    this.finish(outOfMemory ? { timedOut: true } : err);
    void worker.terminate();
    this.start();
    this.next();
  }

  private next(): void {
    if (this.current || this.stopped || !this.ready) return;
    const job = this.queue.shift();
    if (job) this.send(job);
  }

  private send(job: Job, withSchema = !this.sent.has(job.schema.hash)): void {
    const id = ++this.nextId;
    if (withSchema) {
      if (this.sent.size >= MAX_SENT) this.sent.clear();
      this.sent.add(job.schema.hash);
    }
    const request: ThreadRequest = {
      id,
      hash: job.schema.hash,
      schema: withSchema ? job.schema.json : undefined,
      payload: job.payload,
    };
    const thread = this.osThread;
    const atSend = thread === null ? null : threadCpuMs(thread);
    const cpu = thread === null || atSend === null ? null : { thread, atSend };
    const timer = setTimeout(() => this.expire(id), this.deadlineMs);
    this.current = { job, id, timer, sentAt: performance.now(), cpu };
    this.worker.postMessage(request);
  }

  private onReply(worker: Worker, reply: ThreadReply): void {
    if (worker !== this.worker) return;
    if ('ready' in reply) {
      this.ready = true;
      this.osThread = reply.thread;
      return this.next();
    }
    if (reply.id !== this.current?.id) return;
    if ('missing' in reply) {
      const { job, timer } = this.current;
      clearTimeout(timer);
      this.current = null;
      return this.send(job, true);
    }
    this.finish({ timedOut: false, problems: reply.problems });
    this.next();
  }

  /**
   * The timer of job `id` fired: the deadline's worth of wall-clock time has passed, which
   * says nothing yet about the thread. Its answer may be waiting: when the event loop was
   * held (a long synchronous job, a GC pause) past the timer, the loop, once free, runs its
   * timers before it polls for the thread's message, in the same turn. So the decision
   * waits for setImmediate, which runs after that poll: by then an answer that had arrived
   * has been taken (onReply) and the job is no longer current.
   */
  private expire(id: number): void {
    setImmediate(() => this.decide(id));
  }

  /**
   * No answer yet: while the thread has used less CPU time than the deadline (it waited for
   * a core, or its answer is on its way), the timer is set again for the CPU time it has
   * left, within the wall-clock cap; otherwise the job has timed out.
   */
  private decide(id: number): void {
    const current = this.current;
    if (current?.id !== id) return;
    const capLeft = current.sentAt + this.deadlineMs * WALL_CLOCK_CAP_DEADLINES - performance.now();
    const wait = Math.min(this.cpuLeft(current), capLeft);
    if (wait <= 0) return this.timeOut();
    current.timer = setTimeout(() => this.expire(id), Math.ceil(wait));
  }

  /** The CPU time (ms) the running job's thread may still use; 0 when it cannot be read. */
  private cpuLeft({ cpu }: Running): number {
    if (!cpu) return 0;
    const now = threadCpuMs(cpu.thread);
    return now === null ? 0 : this.deadlineMs - (now - cpu.atSend);
  }

  /** Past the deadline: the thread is given up, its job answered, a new thread started. */
  private timeOut(): void {
    const worker = this.worker;
    this.finish({ timedOut: true });
    this.start();
    void worker.terminate();
    this.next();
  }

  private finish(verdict: Verdict | Error): void {
    if (!this.current) return;
    clearTimeout(this.current.timer);
    const { job } = this.current;
    this.current = null;
    job.settle(verdict);
  }
}

/**
 * A schema thread running schema-thread: its compiled JavaScript in a build; under the
 * tests (TypeScript run by ts-jest) its source, through ts-node.
 */
function spawn(): Worker {
  const file = path.join(__dirname, `schema-thread${path.extname(__filename)}`);
  const resourceLimits = { maxOldGenerationSizeMb: THREAD_HEAP_MB };
  if (!file.endsWith('.ts')) return new Worker(file, { resourceLimits });
  return new Worker(
    `require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(file)});`,
    { eval: true, resourceLimits },
  );
}
