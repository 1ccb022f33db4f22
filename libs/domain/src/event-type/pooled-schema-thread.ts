import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  PoolSettings,
  ThreadReply,
  ThreadRequest,
  ThreadSchema,
  Verdict,
} from './schema-validator-pool';

/** A schema thread's heap: a validation that needs more fails as one past its deadline. */
const THREAD_HEAP_MB = 256;
/** Hashes remembered as sent to a thread; past it the set starts over (schemas resent). */
const MAX_SENT = 10_000;
/**
 * A thread's CPU reading that has not moved since its job was sent, while at least this many
 * deadlines of wall-clock time passed and the process used at least one deadline's worth of
 * CPU, is not believed (see cpuUsed).
 */
const STILL_READING_DEADLINES = 2;

export interface Job {
  schema: ThreadSchema;
  payload: string;
  settle: (verdict: Verdict | Error) => void;
}

/**
 * The job a thread is running, since when (wall clock), and the CPU time (ms) then of its OS
 * thread, if known, and of the whole process (process.cpuUsage, µs).
 */
interface Running {
  job: Job;
  id: number;
  timer: NodeJS.Timeout;
  sentAt: number;
  cpu: { thread: string; atSend: number; process: NodeJS.CpuUsage } | null;
}

/** One worker thread of SchemaValidatorPool, one validation at a time, the rest queued. */
export class SchemaThread {
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

  constructor(private readonly settings: PoolSettings) {
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
    const worker = spawn(this.settings.threadSchemas);
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

  private send(job: Job): void {
    const id = ++this.nextId;
    const thread = this.osThread;
    const atSend = thread === null ? null : this.settings.readCpu(thread);
    const cpu =
      thread === null || atSend === null ? null : { thread, atSend, process: process.cpuUsage() };
    const timer = setTimeout(() => this.expire(id), this.settings.deadlineMs);
    this.current = { job, id, timer, sentAt: performance.now(), cpu };
    this.post(id, job, !this.sent.has(job.schema.hash));
  }

  private post(id: number, job: Job, withSchema: boolean): void {
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
    // The thread let the schema go: the same job, sent again with it. Its id, timer, start
    // and CPU baseline stay: the deadline and the wall-clock cap count from the first send.
    if ('missing' in reply) return this.post(reply.id, this.current.job, true);
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
   * No answer yet. A thread that has used the deadline's CPU time has timed out: the payload
   * is too costly. One that has used less (it waited for a core, or its answer is on its
   * way) gets the timer set again for the CPU time it has left, within the wall-clock cap;
   * past the cap it is `overloaded`. Judged by wall-clock time (no CPU reading), a timer
   * that fired is past the deadline, and that is `overloaded` too: it cannot tell a costly
   * payload from a busy machine.
   */
  private decide(id: number): void {
    const current = this.current;
    if (current?.id !== id) return;
    const { deadlineMs, capDeadlines } = this.settings;
    const used = this.cpuUsed(current);
    if (used === null) return this.giveUp({ overloaded: true });
    if (used >= deadlineMs) return this.giveUp({ timedOut: true });
    const capLeft = current.sentAt + deadlineMs * capDeadlines - performance.now();
    if (capLeft <= 0) return this.giveUp({ overloaded: true });
    current.timer = setTimeout(
      () => this.expire(id),
      Math.ceil(Math.min(deadlineMs - used, capLeft)),
    );
  }

  /**
   * The CPU time (ms) the running job's thread has used; null when it is judged by wall
   * clock: no reading at send, none now, or a reading that stands still. A thread with a
   * job is running it or waiting for a core; a reading that has not moved (not one 10 ms
   * tick) over STILL_READING_DEADLINES deadlines of wall-clock time, while this process used
   * at least a deadline's worth of CPU, is not believed: the scheduler shares a process's
   * CPU among its runnable threads, and besides the schema threads only the main thread
   * and short-lived helpers (GC, libuv) run, so the thread ran; a /proc that does not show
   * it (static utime/stime) would otherwise hold every runaway validation for the whole
   * cap. When the whole process gets no CPU the reading is believed: the
   * machine is starved, and the cap bounds the wait. A wrong disbelief costs little: a
   * wall-clock judgement is `overloaded` (a 503 the client retries), never `timedOut`.
   */
  private cpuUsed({ cpu, sentAt }: Running): number | null {
    if (!cpu) return null;
    const now = this.settings.readCpu(cpu.thread);
    if (now === null) return null;
    const { deadlineMs } = this.settings;
    if (now === cpu.atSend && performance.now() - sentAt >= STILL_READING_DEADLINES * deadlineMs) {
      const { user, system } = process.cpuUsage(cpu.process);
      if ((user + system) / 1000 >= deadlineMs) return null;
    }
    return now - cpu.atSend;
  }

  /** No answer to wait for: the thread is given up, its job answered, a new thread started. */
  private giveUp(verdict: Verdict): void {
    const worker = this.worker;
    this.finish(verdict);
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
function spawn(maxSchemas?: number): Worker {
  const file = path.join(__dirname, `schema-thread${path.extname(__filename)}`);
  const options = {
    resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
    workerData: { maxSchemas },
  };
  if (!file.endsWith('.ts')) return new Worker(file, options);
  return new Worker(
    `require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(file)});`,
    { eval: true, ...options },
  );
}
