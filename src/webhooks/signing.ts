import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookSecret } from './webhook-model.js';

/** A new endpoint secret in Standard Webhooks' form: `whsec_` and 32 random bytes in base64. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The headers of one attempt, signed with every secret still live (the spec's space-separated
 * signatures: during a rotation's overlap a receiver holding either secret verifies). The reference
 * library signs, so what it verifies is what we send.
 */
export function signedHeaders(
  messageId: string,
  body: string,
  secrets: readonly WebhookSecret[],
  now: number,
): Record<string, string> {
  const at = new Date(Math.floor(now / 1000) * 1000);
  const signatures = liveSecrets(secrets, now).map((secret) =>
    new Webhook(secret.secret).sign(messageId, at, body),
  );
  return {
    'content-type': 'application/json',
    'webhook-id': messageId,
    'webhook-timestamp': String(at.getTime() / 1000),
    'webhook-signature': signatures.join(' '),
  };
}

/** The secrets that sign now: the current one and those whose overlap has not ended. */
export function liveSecrets(secrets: readonly WebhookSecret[], now: number): WebhookSecret[] {
  return secrets.filter((secret) => secret.notAfter === null || secret.notAfter > now);
}

/** After a rotation: the new secret first, the others signing on for `overlapMs` at most. */
export function rotated(secrets: readonly WebhookSecret[], now: number, overlapMs: number): WebhookSecret[] {
  const until = now + overlapMs;
  const older = liveSecrets(secrets, now).map((secret) => ({
    secret: secret.secret,
    notAfter: Math.min(secret.notAfter ?? until, until),
  }));
  return [{ secret: newSecret(), notAfter: null }, ...older.filter((secret) => secret.notAfter > now)];
}
