import { Agent, errors, request } from 'undici';
import { guardedLookup, parseTarget, type TargetPolicy } from './target-url.js';

/** An attempt's outcome; `error` is a short code for the dead-letter list and the log (no body, no address). */
export type Attempt =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: string; readonly retryAfterMs: number | null };

/** What a receiver's body may be before it is cut off (it is read only to free the connection). */
const MAX_ANSWER_BYTES = 64 * 1024;
/** The longest `Retry-After` honoured. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * POSTs webhook messages: through an agent of its own whose every connection resolves names with the
 * SSRF guard, no redirect followed (a 3xx is a failure), bounded in time at each step.
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    private readonly policy: TargetPolicy,
    timeoutMs: number,
  ) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(policy), timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connections: 16,
    });
  }

  async send(
    url: string,
    headers: Record<string, string>,
    body: string,
    signal: AbortSignal,
  ): Promise<Attempt> {
    // Again at every attempt: the policy may have changed, and an IP literal never goes through lookup.
    if (typeof parseTarget(url, this.policy) === 'string') return failed('TARGET_REFUSED');
    try {
      const answer = await request(url, {
        method: 'POST',
        headers: { ...headers, 'user-agent': 'usergraph-webhooks/1' },
        body,
        dispatcher: this.agent,
        signal,
      });
      await answer.body.dump({ limit: MAX_ANSWER_BYTES }).catch(() => undefined);
      if (answer.statusCode >= 200 && answer.statusCode < 300) return { ok: true };
      return failed(`HTTP ${answer.statusCode}`, retryAfter(answer.headers['retry-after']));
    } catch (error) {
      return failed(errorCode(error));
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function failed(error: string, retryAfterMs: number | null = null): Attempt {
  return { ok: false, error, retryAfterMs };
}

function errorCode(error: unknown): string {
  if (error instanceof errors.ConnectTimeoutError) return 'CONNECT_TIMEOUT';
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError)
    return 'TIMEOUT';
  if (error instanceof errors.RequestAbortedError) return 'ABORTED';
  const code = (error as { code?: unknown }).code;
  if (code === 'EBLOCKED') return 'TARGET_REFUSED';
  if (code === 'ECONNREFUSED') return 'CONNECTION_REFUSED';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'CONNECTION_RESET';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'DNS_FAILED';
  if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return code;
  return 'SEND_FAILED';
}

/** `Retry-After` in seconds (the HTTP-date form is rare from receivers and read as absent). */
function retryAfter(value: string | string[] | undefined): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d{1,7}$/.test(text.trim())) return null;
  return Math.min(Number(text.trim()) * 1000, MAX_RETRY_AFTER_MS);
}
