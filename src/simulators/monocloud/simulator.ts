import { STATUS_CODES } from 'node:http';
import { generatePeople, type SeedAccount } from '../people.js';
import { mulberry32, type Route, type SimRequest, type SimResponse, Simulator } from '../server.js';
import { MonoCloudAccess } from './access.js';
import { JOHN_DOE, JOHN_DOE_SUMMARY } from './john-doe.js';
import { paged } from './page-response.js';
import { type StoredUser, toSummary, toUserRecord, type UserRecord } from './records.js';
import { type MonoCloudWriteState, monoCloudWriteRoutes } from './writes.js';

export interface MonoCloudSimulatorOptions {
  /** Seed accounts to serve besides the API pages' John Doe; default `generatePeople().monocloud`. */
  readonly accounts?: readonly SeedAccount[];
  readonly apiKey?: string;
  readonly latencyMs?: number;
  readonly seed?: number;
}

export const DEMO_API_KEY = 'mc_demo_3f9a2c7e51b84d06a1e2c3b4d5f60718';

const SORT_FIELDS = ['creation_time', 'last_updated'] as const;
type SortField = (typeof SORT_FIELDS)[number];

/**
 * The MonoCloud Management API's user reads: `GET /api/users/{id}` and `GET /api/users` (page/size,
 * free-text filter, sort, `x-pagination` header), `X-API-KEY` auth, RFC 7807 problem bodies.
 */
export class MonoCloudSimulator extends Simulator {
  readonly apiKey: string;
  /** Every user the simulator serves (John Doe first), in the get-one shape. */
  readonly users: readonly UserRecord[];
  /** Groups, memberships, sessions and the event log, with what a test may change. */
  readonly access: MonoCloudAccess;
  /** Changes a user as an admin would in the MonoCloud console (tests of caching and freshness). */
  readonly update: (userId: string, changes: Partial<UserRecord>) => void;
  /** The write side's state: what a repeated disable or enable answers (`repeats`), for tests. */
  readonly writes: MonoCloudWriteState;
  /** A user as it is now (after writes), or undefined once deleted. */
  readonly current: (userId: string) => UserRecord | undefined;

  constructor(options: MonoCloudSimulatorOptions = {}) {
    const apiKey = options.apiKey ?? DEMO_API_KEY;
    const accounts = options.accounts ?? generatePeople().monocloud;
    const stored: StoredUser[] = [
      { full: JOHN_DOE, summary: JOHN_DOE_SUMMARY },
      ...accounts.map((account) => {
        const full = toUserRecord(account);
        return { full, summary: toSummary(full) };
      }),
    ];
    const byId = new Map(stored.map((user) => [user.full.user_id, user]));
    const traceIds = mulberry32(options.seed ?? 1);
    const problem = (status: number, detail: string): SimResponse => ({
      status,
      headers: { 'content-type': 'application/problem+json; charset=utf-8' },
      body: {
        type: `https://httpstatuses.io/${status}`,
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail,
        traceId: traceId(traceIds),
      },
    });

    const access = new MonoCloudAccess(stored);
    access.memberSummaries = (ids) => ids.flatMap((id) => byId.get(id)?.summary ?? []);
    const update = (userId: string, changes: Partial<UserRecord>) => {
      const user = byId.get(userId);
      if (user === undefined) throw new Error(`no user ${userId}`);
      const full = { ...user.full, ...changes };
      const changed = { full, summary: toSummary(full) };
      byId.set(userId, changed);
      stored[stored.indexOf(user)] = changed;
    };
    const writes: MonoCloudWriteState = {
      byId,
      access,
      problem,
      update,
      remove: (userId) => {
        const user = byId.get(userId);
        if (user === undefined) return;
        byId.delete(userId);
        stored.splice(stored.indexOf(user), 1);
      },
      repeats: 'ok',
    };
    const routes: Route[] = [
      ...monoCloudWriteRoutes(writes),
      // Before `/api/users/:id`, whose pattern a deeper path never matches anyway.
      ...access.routes(problem, (id) => byId.has(id)),
      {
        name: 'getUser',
        method: 'GET',
        pattern: '/api/users/:id',
        handle: (req) => {
          const user = req.params.id === undefined ? undefined : byId.get(req.params.id);
          return user ? { status: 200, body: user.full } : problem(404, 'User not found');
        },
      },
      {
        name: 'listUsers',
        method: 'GET',
        pattern: '/api/users',
        handle: (req) => listUsers(req, stored, problem),
      },
    ];

    super(
      {
        provider: 'monocloud',
        routes,
        authenticate: (req) => (req.headers['x-api-key'] === apiKey ? null : unauthorized(traceId(traceIds))),
        errorResponse: problem,
      },
      { latencyMs: options.latencyMs, seed: options.seed },
    );
    this.apiKey = apiKey;
    this.access = access;
    this.users = stored.map((user) => user.full);
    this.update = update;
    this.writes = writes;
    this.current = (userId) => byId.get(userId)?.full;
  }
}

export function createMonoCloudSimulator(options: MonoCloudSimulatorOptions = {}): MonoCloudSimulator {
  return new MonoCloudSimulator(options);
}

function unauthorized(trace: string): SimResponse {
  return {
    status: 401,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
    body: { type: 'https://httpstatuses.io/401', title: 'Unauthorized', status: 401, traceId: trace },
  };
}

function listUsers(
  req: SimRequest,
  stored: readonly StoredUser[],
  problem: (status: number, detail: string) => SimResponse,
): SimResponse {
  const sort = parseSort(req.query.get('sort'));
  if (sort === null) return problem(400, `sort must be one of ${SORT_FIELDS.join(', ')} with :1 or :-1`);
  const needle = req.query.get('filter')?.trim().toLowerCase() ?? '';
  const matching = needle ? stored.filter((user) => searchText(user.full).includes(needle)) : [...stored];
  matching.sort((a, b) => sort.order * compare(a.full, b.full, sort.field));
  return paged(
    req,
    matching.map((user) => user.summary),
    problem,
  );
}

function parseSort(value: string | null): { field: SortField; order: 1 | -1 } | null {
  if (value === null || value === '') return { field: 'creation_time', order: 1 };
  const [field, order, extra] = value.split(':');
  if (extra !== undefined || !SORT_FIELDS.includes(field as SortField)) return null;
  if (order !== '1' && order !== '-1') return null;
  return { field: field as SortField, order: order === '1' ? 1 : -1 };
}

/** Ties (a bulk import shares one creation second) fall back to the id, so pages never overlap. */
function compare(a: UserRecord, b: UserRecord, field: SortField): number {
  const x = a[field] ?? Number.NEGATIVE_INFINITY;
  const y = b[field] ?? Number.NEGATIVE_INFINITY;
  if (x !== y) return x < y ? -1 : 1;
  return a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0;
}

function searchText(user: UserRecord): string {
  const claims = user.claims;
  return [
    user.user_id,
    claims.name,
    claims.given_name,
    claims.family_name,
    user.username?.username,
    ...user.emails.map((email) => email.email),
  ]
    .filter((part): part is string => typeof part === 'string')
    .join('\n')
    .toLowerCase();
}

function traceId(random: () => number): string {
  const hex = (length: number) =>
    Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  return `00-${hex(32)}-${hex(16)}-01`;
}
