import { createHash } from 'node:crypto';
import type { Change } from '../directory/change-model.js';
import { encodeChangeId, encodeGroupId, encodeUserId } from '../directory/global-id.js';
import { formatTimestamp } from '../directory/timestamp.js';

/**
 * A change as a webhook body (Standard Webhooks' `{ type, timestamp, data }`), with the same ids and
 * names as the GraphQL `Change` type: a receiver can look the user up with `node(id:)`.
 */
export function webhookBody(change: Change): string {
  return JSON.stringify({
    type: `change.${change.kind.toLowerCase()}`,
    timestamp: formatTimestamp(change.at),
    data: {
      id: encodeChangeId(change.directory, change.id),
      at: formatTimestamp(change.at),
      kind: change.kind,
      rawType: change.rawType,
      directory: change.directory,
      userId: change.userId === null ? null : encodeUserId(change.directory, change.userId),
      groupId: change.groupId === null ? null : encodeGroupId(change.directory, change.groupId),
    },
  });
}

/** `webhook-id` of a change sent to an endpoint: stable across retries, replays and a lost stream. */
export function messageId(endpointId: string, change: Change): string {
  const digest = createHash('sha256').update(`${endpointId}\n${change.directory}\n${change.id}`).digest();
  return `msg_${digest.subarray(0, 18).toString('base64url')}`;
}
