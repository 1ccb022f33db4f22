import type { DataSource } from 'typeorm';

/** The pool size of a data source (POSTMAND_DATABASE_MAX_OPEN_CONNS): batchers share it. */
export function poolSizeOf(dataSource: DataSource): number {
  return (dataSource.options as { poolSize?: number }).poolSize ?? 10;
}

/**
 * Folds concurrent single-row writes into multi-row statements: each `submit` waits for
 * a free statement slot, and whatever arrived while every slot was busy leaves together in
 * the next statement. Nothing waits on a timer: when the database keeps up, every write
 * goes alone and at once; under load the batches grow with the queue, and one statement,
 * one round trip and one commit carry many rows. A batch that fails on its data (SQLSTATE
 * classes 22 and 23) is retried row by row, so one bad row fails only its own caller;
 * any other failure (the database away) reaches every caller of the batch.
 */
export class StatementBatcher<I, O> {
  private queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    /** Runs one statement for the inputs; returns one result per input, in order. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: { maxInFlight: number; maxRows: number; maxBytes: number },
    private readonly bytesOf: (input: I) => number,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      void this.send(this.take());
    }
  }

  /** The oldest queued writes that fit one statement (always at least one). */
  private take(): typeof this.queue {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.options.maxRows) {
      const size = this.bytesOf(this.queue[n].input);
      if (n > 0 && bytes + size > this.options.maxBytes) break;
      bytes += size;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async send(batch: typeof this.queue): Promise<void> {
    this.inFlight++;
    try {
      const outcomes = await this.runOrSplit(batch.map((w) => w.input));
      batch.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome.status === 'fulfilled') w.resolve(outcome.value);
        else w.reject(outcome.reason);
      });
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  private async runOrSplit(inputs: I[]): Promise<PromiseSettledResult<O>[]> {
    try {
      const results = await this.run(inputs);
      return results.map((value) => ({ status: 'fulfilled', value }));
    } catch (reason) {
      if (inputs.length === 1 || !isDataError(reason)) {
        return inputs.map(() => ({ status: 'rejected', reason }));
      }
    }
    // Row by row: each caller gets its own row's result or error.
    return Promise.all(
      inputs.map((input) =>
        this.run([input]).then(
          ([value]): PromiseSettledResult<O> => ({ status: 'fulfilled', value }),
          (reason: unknown): PromiseSettledResult<O> => ({ status: 'rejected', reason }),
        ),
      ),
    );
  }
}

function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
