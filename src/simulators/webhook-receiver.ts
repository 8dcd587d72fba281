import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { mulberry32 } from './server.js';

// A webhook receiver for tests and for trying webhooks out: it verifies each message's signature with
// the reference Standard Webhooks library, records every attempt, and can be made to fail a share of
// attempts (answering 500) or to be down (its port refusing connections) for a while.

export interface ReceivedAttempt {
  readonly messageId: string;
  readonly body: string;
  /** The signature verified against the receiver's secret (false: no secret set, or it did not verify). */
  readonly verified: boolean;
  /** What the receiver answered. */
  readonly status: number;
  readonly at: number;
}

export class WebhookReceiver {
  /** Every attempt that reached it, in arrival order. */
  readonly attempts: ReceivedAttempt[] = [];
  /** The secret signatures are verified with (`whsec_…`). */
  secret: string | null = null;
  /** The share of attempts answered 500 (decided by a seeded sequence: runs repeat). */
  failRate = 0;
  /** How long it takes to answer each attempt, in ms. */
  delayMs = 0;
  /** The most attempts it held at once (tests of a sender's concurrency). */
  maxInFlight = 0;
  private inFlight = 0;
  private random: () => number;

  private constructor(
    private server: Server,
    readonly port: number,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  static async start(options: { seed?: number; failRate?: number } = {}): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((request, response) =>
      holder.receiver?.handle(request.headers, request, response),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(server, (server.address() as AddressInfo).port, options.seed ?? 1);
    receiver.failRate = options.failRate ?? 0;
    holder.receiver = receiver;
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** The messages answered 2xx, by id, first acceptance first. */
  get accepted(): Map<string, ReceivedAttempt> {
    const accepted = new Map<string, ReceivedAttempt>();
    for (const attempt of this.attempts) {
      if (attempt.status < 300 && !accepted.has(attempt.messageId)) accepted.set(attempt.messageId, attempt);
    }
    return accepted;
  }

  /** Refuses connections for `ms` (the port closed), then listens on the same port again. */
  async downFor(ms: number): Promise<void> {
    await this.close();
    setTimeout(() => {
      const server = createServer((request, response) => this.handle(request.headers, request, response));
      server.listen(this.port, '127.0.0.1');
      this.server = server;
    }, ms);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(
    headers: IncomingHttpHeaders,
    request: NodeJS.ReadableStream,
    response: ServerResponse,
  ): void {
    const chunks: Buffer[] = [];
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      this.inFlight -= 1;
      const body = Buffer.concat(chunks).toString('utf8');
      const status = this.random() < this.failRate ? 500 : 204;
      this.attempts.push({
        messageId: String(headers['webhook-id'] ?? ''),
        body,
        verified: this.verify(headers, body),
        status,
        at: Date.now(),
      });
      response.writeHead(status).end();
    });
  }

  private verify(headers: IncomingHttpHeaders, body: string): boolean {
    if (this.secret === null) return false;
    try {
      new Webhook(this.secret).verify(body, {
        'webhook-id': String(headers['webhook-id']),
        'webhook-timestamp': String(headers['webhook-timestamp']),
        'webhook-signature': String(headers['webhook-signature']),
      });
      return true;
    } catch {
      return false;
    }
  }
}
