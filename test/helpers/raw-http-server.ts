import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

/** The exact bytes one case answers with, and whether the server closes after them. */
export interface RawAnswer {
  /** Written in order, each as its own write: a list splits the answer across TCP segments. */
  bytes: Buffer | string | (Buffer | string)[];
  /** Close the connection after the answer (a body delimited by the close, HTTP/1.0). */
  close?: boolean;
}

/**
 * An HTTP endpoint that is a raw TCP server (node:net): it reads each request (head and
 * `Content-Length` body) and writes exactly the bytes of the answer its path names, so a
 * test can send what Node's `http` cannot produce (HTTP/1.0, odd reason phrases, a body
 * ended by the close). Keep-alive connections are served request after request.
 */
export class RawHttpServer {
  /** The paths requested, in order of arrival. */
  readonly requested: string[] = [];
  /** Connections accepted so far. */
  connections = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly answers: Record<string, RawAnswer>,
  ) {
    server.on('connection', (socket) => this.serve(socket));
  }

  static async start(answers: Record<string, RawAnswer>): Promise<RawHttpServer> {
    const raw = new RawHttpServer(net.createServer(), answers);
    await new Promise<void>((resolve) => raw.server.listen(0, '127.0.0.1', resolve));
    return raw;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    this.connections++;
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let answering = false;
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      if (answering) return;
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.subarray(end + 4 + length);
      const path = head.split(' ')[1] ?? '';
      this.requested.push(path);
      const answer = this.answers[path.replace(/^\//, '')];
      if (!answer) return void socket.destroy();
      answering = true;
      void this.write(socket, answer).then(() => {
        answering = false;
        if (buffered.length > 0) socket.emit('data', Buffer.alloc(0));
      });
    });
  }

  /** Writes the answer's pieces one after the other, each flushed before the next. */
  private async write(socket: net.Socket, answer: RawAnswer): Promise<void> {
    const pieces = Array.isArray(answer.bytes) ? answer.bytes : [answer.bytes];
    for (const piece of pieces) {
      await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
      // Let the piece go out as its own segment before the next one is written.
      if (pieces.length > 1) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (answer.close) socket.end();
  }
}
