import { groupKeysOf, SEED_GROUPS, sessionCountOf, sessionIp, userAgentOf } from '../access-data.js';
import type { Route, SimResponse } from '../server.js';
import { paged } from './page-response.js';
import type { StoredUser } from './records.js';

// MonoCloud's groups, sessions and event log (shared/providers/groups-roles-changes.md §1): the
// routes of the Management API that serve them, page/size paging with `x-pagination`, the Pro-plan
// 402 on sessions, and an event log that grows as a test changes memberships or signs people in.

type Problem = (status: number, detail: string) => SimResponse;

export interface MonoCloudGroupRecord {
  readonly group_id: string;
  readonly type: 'built_in' | 'custom';
  readonly name: string;
  readonly description: string | null;
  readonly is_auto_assigned: boolean;
  users_assigned: number;
  readonly clients_assigned: number;
  readonly creation_time: number;
  last_updated: number;
  last_assigned: number;
}

interface UserGroupRecord {
  readonly group_id: string;
  readonly user_id: string;
  readonly creation_time: number;
  readonly group_name: string;
}

export interface MonoCloudLogRecord {
  readonly id: string;
  readonly time_stamp: number;
  readonly category: string;
  readonly name: string;
  readonly description: string;
  readonly type: 'success' | 'failure' | 'information' | 'error';
  readonly code: string;
  readonly actor: { readonly type: string; readonly id?: string };
  readonly targets: readonly { readonly type: string; readonly id?: string }[];
}

const GROUPS_EPOCH = Date.UTC(2021, 0, 1) / 1000;

export class MonoCloudAccess {
  /** 'free' answers session reads with 402, as MonoCloud does below the Pro plan. */
  plan: 'pro' | 'free' = 'pro';
  readonly groups: MonoCloudGroupRecord[];
  private readonly memberships = new Map<string, UserGroupRecord[]>();
  private readonly sessions = new Map<string, unknown[]>();
  /** Oldest first, as `sort=time_stamp:1` returns it; ties keep the order they were written in. */
  readonly logs: MonoCloudLogRecord[] = [];
  private nextLog = 1;

  constructor(users: readonly StoredUser[]) {
    this.groups = SEED_GROUPS.map((group, index) => ({
      group_id: `grp_${group.key.replace(/-/g, '_')}_${(index + 1).toString(36).padStart(4, '0')}`,
      type: 'custom',
      name: group.name,
      description: group.description,
      is_auto_assigned: false,
      users_assigned: 0,
      clients_assigned: 0,
      creation_time: GROUPS_EPOCH + index * 86_400,
      last_updated: GROUPS_EPOCH + index * 86_400,
      last_assigned: GROUPS_EPOCH,
    }));
    const initial: MonoCloudLogRecord[] = [];
    for (const { full } of users) {
      const person = personOf(full);
      const created = full.creation_time ?? GROUPS_EPOCH;
      initial.push(this.log(created, 'users', 'user_created', full.user_id, null));
      for (const key of groupKeysOf(person)) {
        const group = this.groups[SEED_GROUPS.findIndex((g) => g.key === key)] as MonoCloudGroupRecord;
        this.addMembership(full.user_id, group, created + 60);
        initial.push(this.log(created + 60, 'groups', 'user_added_to_group', full.user_id, group.group_id));
      }
      const signIn = full.last_sign_in_success;
      if (typeof signIn === 'number') {
        initial.push(this.log(signIn, 'authentication', 'user_sign_in_succeeded', full.user_id, null));
        const sessions: unknown[] = [];
        for (let n = 0; n < sessionCountOf(person); n += 1) {
          sessions.push({
            session_id: `ses_${full.user_id.slice(0, 8)}_${n}`,
            client_ids: ['console'],
            initiated_at: signIn - n * 3600,
            expires_at: signIn - n * 3600 + 30 * 86_400,
            last_updated: signIn,
            last_metadata: { ip_address: sessionIp(person, n), user_agent: userAgentOf(person, n) },
          });
        }
        this.sessions.set(full.user_id, sessions);
      }
    }
    // Stable: events of one second keep the order they were written in.
    this.logs.push(...initial.sort((a, b) => a.time_stamp - b.time_stamp));
  }

  routes(problem: Problem, exists: (userId: string) => boolean): Route[] {
    const byId = (id: string | undefined) => this.groups.find((group) => group.group_id === id);
    return [
      {
        name: 'listGroups',
        method: 'GET',
        pattern: '/api/groups',
        handle: (req) =>
          paged(
            req,
            [...this.groups].sort((a, b) => a.name.localeCompare(b.name)),
            problem,
          ),
      },
      {
        name: 'getGroup',
        method: 'GET',
        pattern: '/api/groups/:id',
        handle: (req) => {
          const group = byId(req.params.id);
          return group ? { status: 200, body: group } : problem(404, 'Group not found');
        },
      },
      {
        name: 'listGroupMembers',
        method: 'GET',
        pattern: '/api/users/groups/:id/assigned',
        handle: (req) => {
          const group = byId(req.params.id);
          if (!group) return problem(404, 'Group not found');
          return paged(req, this.members(group.group_id), problem);
        },
      },
      {
        name: 'listUserGroups',
        method: 'GET',
        pattern: '/api/users/:id/groups',
        handle: (req) => {
          const id = req.params.id ?? '';
          if (!exists(id)) return problem(404, 'User not found');
          return paged(req, this.memberships.get(id) ?? [], problem);
        },
      },
      {
        name: 'listUserSessions',
        method: 'GET',
        pattern: '/api/users/:id/sessions',
        handle: (req) => {
          if (this.plan !== 'pro') {
            return problem(402, 'User session management requires an active Pro plan.');
          }
          const id = req.params.id ?? '';
          if (!exists(id)) return problem(404, 'User not found');
          return paged(req, this.sessions.get(id) ?? [], problem);
        },
      },
      {
        name: 'listLogs',
        method: 'GET',
        pattern: '/api/logs',
        handle: (req) => {
          const sort = req.query.get('sort') ?? 'time_stamp:-1';
          if (sort !== 'time_stamp:1' && sort !== 'time_stamp:-1') {
            return problem(400, 'sort must be time_stamp:1 or time_stamp:-1');
          }
          return paged(req, sort === 'time_stamp:1' ? this.logs : [...this.logs].reverse(), problem);
        },
      },
    ];
  }

  /** The users of a group as summaries, in the order they were added; filled in by the simulator. */
  memberSummaries: (userIds: readonly string[]) => unknown[] = () => [];

  private members(groupId: string): unknown[] {
    const ids: string[] = [];
    for (const [userId, list] of this.memberships) {
      if (list.some((m) => m.group_id === groupId)) ids.push(userId);
    }
    return this.memberSummaries(ids);
  }

  /** Adds a user to a group as an admin would, logging `user_added_to_group`. */
  addToGroup(userId: string, groupId: string, at = nowSeconds()): void {
    const group = this.groups.find((g) => g.group_id === groupId);
    if (!group) throw new Error(`no group ${groupId}`);
    if ((this.memberships.get(userId) ?? []).some((m) => m.group_id === groupId)) return;
    this.addMembership(userId, group, at);
    this.logs.push(this.log(at, 'groups', 'user_added_to_group', userId, groupId));
  }

  removeFromGroup(userId: string, groupId: string, at = nowSeconds()): void {
    const list = this.memberships.get(userId) ?? [];
    const kept = list.filter((m) => m.group_id !== groupId);
    if (kept.length === list.length) return;
    this.memberships.set(userId, kept);
    const group = this.groups.find((g) => g.group_id === groupId) as MonoCloudGroupRecord;
    group.users_assigned -= 1;
    this.logs.push(this.log(at, 'groups', 'user_removed_from_group', userId, groupId));
  }

  signIn(userId: string, at = nowSeconds()): void {
    this.logs.push(this.log(at, 'authentication', 'user_sign_in_succeeded', userId, null));
  }

  block(userId: string, at = nowSeconds()): void {
    this.logs.push(this.log(at, 'users', 'user_account_blocked', userId, null));
  }

  /** Drops log entries older than `seconds` (retention; MonoCloud's own is UNCONFIRMED). */
  expireLogsBefore(seconds: number): void {
    const kept = this.logs.filter((entry) => entry.time_stamp >= seconds);
    this.logs.splice(0, this.logs.length, ...kept);
  }

  groupIdsOf(userId: string): string[] {
    return (this.memberships.get(userId) ?? []).map((m) => m.group_id);
  }

  /** Ends one session; false when the user has no such session. */
  endSession(userId: string, sessionId: string): boolean {
    const sessions = this.sessions.get(userId) ?? [];
    const kept = sessions.filter((session) => (session as { session_id: string }).session_id !== sessionId);
    this.sessions.set(userId, kept);
    return kept.length < sessions.length;
  }

  /** Ends every session of a user (a disable with `revoke_sessions`, a delete). */
  endAllSessions(userId: string): void {
    this.sessions.set(userId, []);
  }

  /** How many active sessions a user has (the Pro-plan list). */
  sessionCount(userId: string): number {
    return this.sessions.get(userId)?.length ?? 0;
  }

  private addMembership(userId: string, group: MonoCloudGroupRecord, at: number): void {
    const list = this.memberships.get(userId) ?? [];
    list.push({ group_id: group.group_id, user_id: userId, creation_time: at, group_name: group.name });
    this.memberships.set(userId, list);
    group.users_assigned += 1;
    group.last_assigned = Math.max(group.last_assigned, at);
  }

  private log(
    at: number,
    category: string,
    code: string,
    userId: string,
    groupId: string | null,
  ): MonoCloudLogRecord {
    const id = `log_${(this.nextLog++).toString().padStart(8, '0')}`;
    return {
      id,
      time_stamp: at,
      category,
      name: code.replace(/_/g, ' '),
      description: code.replace(/_/g, ' '),
      type: 'success',
      code,
      actor: { type: code === 'user_sign_in_succeeded' ? 'user' : 'admin', id: userId },
      targets: [{ type: 'user', id: userId }, ...(groupId === null ? [] : [{ type: 'group', id: groupId }])],
    };
  }
}

function personOf(full: { readonly [field: string]: unknown }): number {
  const data = full.private_data as { seed_person?: unknown } | undefined;
  return typeof data?.seed_person === 'number' ? data.seed_person : 7;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
