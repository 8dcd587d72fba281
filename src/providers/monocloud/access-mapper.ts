import type { Group, Membership, Session } from '../../directory/access-model.js';
import { CHANGE_KINDS, type ChangeKind } from '../../directory/change-model.js';
import type { WireGroup, WireLog, WireSession, WireUserGroup } from './access-wire.js';
import { toTimestamp } from './mapper.js';

// Pure mappers from MonoCloud's groups, memberships, sessions and log entries to the unified model.

export function toGroup(wire: WireGroup, directory: string): Group {
  return {
    directory,
    localId: wire.group_id,
    name: wire.name,
    description: wire.description ?? null,
    organizationId: null,
    createdAt: toTimestamp(wire.creation_time),
    updatedAt: toTimestamp(wire.last_updated),
    memberCount: wire.users_assigned ?? null,
  };
}

export function toMembership(wire: WireUserGroup): Membership {
  return { groupId: wire.group_id, userId: wire.user_id, addedAt: toTimestamp(wire.creation_time) };
}

export function toSession(wire: WireSession): Session {
  return {
    id: wire.session_id,
    startedAt: toTimestamp(wire.initiated_at),
    expiresAt: toTimestamp(wire.expires_at),
    updatedAt: toTimestamp(wire.last_updated),
    ip: wire.last_metadata?.ip_address ?? null,
    userAgent: wire.last_metadata?.user_agent ?? null,
    clientIds: wire.client_ids ?? [],
  };
}

/** Event codes ([MC] models/event-codes.ts) and the change they are; the rest is OTHER. */
const KIND_FOR_CODE: Readonly<Record<string, ChangeKind>> = {
  user_created: 'USER_CREATED',
  user_deleted: 'USER_DELETED',
  user_added_to_group: 'MEMBERSHIP_ADDED',
  user_removed_from_group: 'MEMBERSHIP_REMOVED',
  user_account_blocked: 'USER_STATE_CHANGED',
  user_account_unblocked: 'USER_STATE_CHANGED',
  user_sign_in_succeeded: 'SIGN_IN',
};

/** What the log's codes map to, USER_UPDATED from the scan of users by `last_updated`, and OTHER. */
export const MONOCLOUD_CHANGE_KINDS: readonly ChangeKind[] = CHANGE_KINDS.filter(
  (kind) => kind === 'USER_UPDATED' || kind === 'OTHER' || Object.values(KIND_FOR_CODE).includes(kind),
);

/** The parts of a log entry a change is made of. Which target is the user or the group is UNCONFIRMED per code. */
export function logFacts(wire: WireLog): {
  kind: ChangeKind;
  userId: string | null;
  groupId: string | null;
} {
  const target = (type: string) => wire.targets?.find((t) => t.type === type)?.id ?? null;
  return { kind: KIND_FOR_CODE[wire.code] ?? 'OTHER', userId: target('user'), groupId: target('group') };
}
