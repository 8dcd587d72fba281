import type {
  AssignmentState,
  Group,
  Membership,
  RoleAssignment,
  Session,
} from '../../directory/access-model.js';
import type { ChangeKind } from '../../directory/change-model.js';
import { fromDateTimeString } from '../../directory/timestamp.js';
import type {
  WireAuthorization,
  WireAuthorizationV2beta,
  WireEvent,
  WireGroup,
  WireGroupUser,
  WireSession,
} from './access-wire.js';

// Pure mappers from ZITADEL's groups, authorizations, sessions and events to the unified model.

const time = (value: string | undefined) => (value === undefined ? null : fromDateTimeString(value));

export function toGroup(wire: WireGroup, directory: string): Group {
  return {
    directory,
    localId: wire.id,
    name: wire.name,
    description: wire.description ?? null,
    organizationId: wire.organizationId ?? null,
    createdAt: time(wire.creationDate),
    updatedAt: time(wire.changeDate),
    // Not on the group: it would take a ListGroupUsers per group (see docs/querying.md, capabilities).
    memberCount: null,
  };
}

export function toMembership(wire: WireGroupUser): Membership {
  return { groupId: wire.groupId, userId: wire.user.id, addedAt: time(wire.creationDate) };
}

function stateOf(value: string | undefined): AssignmentState | null {
  if (value === 'STATE_ACTIVE') return 'ACTIVE';
  if (value === 'STATE_INACTIVE') return 'INACTIVE';
  return null;
}

/** One assignment per role of an authorization (ZITADEL grants several roles of a project at once). */
export function toRoleAssignments(wire: WireAuthorization): RoleAssignment[] {
  return (wire.roles ?? []).map((role) => ({
    id: `${wire.id}:${role.key}`,
    roleKey: role.key,
    roleName: role.displayName ?? null,
    scope: {
      kind: 'PROJECT',
      id: wire.project.id,
      name: wire.project.name ?? null,
      organizationId: wire.project.organizationId ?? null,
    },
    state: stateOf(wire.state),
    createdAt: time(wire.creationDate),
    updatedAt: time(wire.changeDate),
  }));
}

export function toRoleAssignmentsV2beta(wire: WireAuthorizationV2beta): RoleAssignment[] {
  return (wire.roles ?? []).map((key) => ({
    id: `${wire.id}:${key}`,
    roleKey: key,
    roleName: null,
    scope: {
      kind: 'PROJECT',
      id: wire.projectId,
      name: wire.projectName ?? null,
      organizationId: wire.organizationId ?? null,
    },
    state: stateOf(wire.state),
    createdAt: time(wire.creationDate),
    updatedAt: time(wire.changeDate),
  }));
}

export function toSession(wire: WireSession): Session {
  return {
    id: wire.id,
    startedAt: time(wire.creationDate),
    expiresAt: time(wire.expirationDate),
    updatedAt: time(wire.changeDate),
    ip: wire.userAgent?.ip ?? null,
    userAgent: wire.userAgent?.description ?? null,
    clientIds: [],
  };
}

/** Event types ([ZM] internal/repository/*) and the change they are; group event names are UNCONFIRMED. */
const KIND_FOR_TYPE: Readonly<Record<string, ChangeKind>> = {
  'user.human.added': 'USER_CREATED',
  'user.machine.added': 'USER_CREATED',
  'user.human.selfregistered': 'USER_CREATED',
  'user.removed': 'USER_DELETED',
  'user.locked': 'USER_STATE_CHANGED',
  'user.unlocked': 'USER_STATE_CHANGED',
  'user.deactivated': 'USER_STATE_CHANGED',
  'user.reactivated': 'USER_STATE_CHANGED',
  'user.human.password.check.succeeded': 'SIGN_IN',
  'user.grant.added': 'ROLE_GRANTED',
  'user.grant.changed': 'ROLE_CHANGED',
  'user.grant.cascade.changed': 'ROLE_CHANGED',
  'user.grant.deactivated': 'ROLE_CHANGED',
  'user.grant.reactivated': 'ROLE_CHANGED',
  'user.grant.removed': 'ROLE_REVOKED',
  'user.grant.cascade.removed': 'ROLE_REVOKED',
  'group.user.added': 'MEMBERSHIP_ADDED',
  'group.user.removed': 'MEMBERSHIP_REMOVED',
};

/** The aggregates whose events the feed reads (`aggregate_types`, at most 10). */
export const EVENT_AGGREGATES = ['user', 'usergrant', 'group'] as const;

export function eventKind(type: string): ChangeKind {
  const known = KIND_FOR_TYPE[type];
  if (known !== undefined) return known;
  // Every other change of a user's profile, email, phone, password or MFA is an update of the user.
  return type.startsWith('user.human.') || type.startsWith('user.machine.') ? 'USER_UPDATED' : 'OTHER';
}

/**
 * The user and group an event concerns: the aggregate for `user` and `group` events; for grants and
 * memberships the payload's `userId` (payloads are ZITADEL-internal JSON, so only that one field is read).
 */
export function eventSubjects(wire: WireEvent): { userId: string | null; groupId: string | null } {
  const aggregate = wire.aggregate.type.type;
  const payloadUser = typeof wire.payload?.userId === 'string' ? wire.payload.userId : null;
  if (aggregate === 'user') return { userId: wire.aggregate.id, groupId: null };
  if (aggregate === 'group') return { userId: payloadUser, groupId: wire.aggregate.id };
  return { userId: payloadUser, groupId: null };
}
