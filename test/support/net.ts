import * as fs from 'node:fs';
import * as net from 'node:net';

/**
 * Ports for the processes a test starts (`postmand server` and the like), which bind them
 * seconds after the port is picked. A port the kernel hands out for `listen(0)` is the
 * wrong kind: until the process binds it, any in-process server of a test running beside
 * (a receiver, an API fixture, both `listen(0)`) or an outgoing connection can be handed
 * the same port, and the test then polls someone else's server (a 404 from /readyz, as a
 * loaded CI run saw). So ports come from below the kernel's ephemeral range, which
 * `listen(0)` and outgoing connections never use, from a block of their own per jest
 * worker, in turn, each checked free when picked.
 */
const BLOCK = 400;

function ephemeralLow(): number {
  try {
    return Number(
      fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
  } catch {
    return 32768; // Linux's default
  }
}

/** The first port of this worker's block: below the ephemeral range, one block per worker. */
function blockStart(): number | null {
  const worker = Number(process.env.JEST_WORKER_ID ?? 0) % 16;
  const start = ephemeralLow() - 16 * BLOCK + worker * BLOCK;
  return start >= 1024 ? start : null;
}

const start = blockStart();
let next = Math.floor(Math.random() * BLOCK);

/** Whether `port` can be listened on at 127.0.0.1 right now. */
function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port free on 127.0.0.1 now, and not one any `listen(0)` will be handed. */
export async function freePort(): Promise<number> {
  if (start === null) {
    const { freePort: anyFreePort } = await import('@app/platform');
    return anyFreePort();
  }
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = start + (next++ % BLOCK);
    if (await free(port)) return port;
  }
  throw new Error(`no free port in ${start}–${start + BLOCK - 1}`);
}
