import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

export { freePort } from '../support/net';

// Built by the global setup (apps/cli/scripts/build-if-stale.js): tests run the real artifact.
const CLI = path.resolve(__dirname, '../../dist/apps/cli/src/main.js');

export interface CliProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** Resolves once the output matches, rejects on exit or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Runs `postmand <command>` in a temp working directory with only the given POSTMAND_*
 * variables (nothing leaks in from the developer's environment or .env).
 */
export function runCli(command: string | string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...[command].flat()], {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    child,
    output: () => output,
    exited,
    waitForOutput: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(output)) done(resolve);
        };
        const done = (fn: () => void): void => {
          listeners.delete(check);
          clearTimeout(timer);
          fn();
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${pattern} in output:\n${output}`))),
          timeoutMs,
        );
        listeners.add(check);
        void exited.then((code) =>
          done(() => reject(new Error(`exited (${code}) before ${pattern}:\n${output}`))),
        );
        check();
      }),
  };
}

/** Polls `url` until `accept(status)` holds; returns the last status and JSON body. */
export async function pollHttp(
  url: string,
  accept: (status: number) => boolean,
  timeoutMs = 120_000,
): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  let last: { status: number; body: unknown } = { status: 0, body: undefined };
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      last = { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
      if (accept(res.status)) return last;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never satisfied the check; last status ${last.status}`);
}
