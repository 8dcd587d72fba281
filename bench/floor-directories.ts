import { Agent, request } from 'undici';
import type { BenchDirectory } from './directories.js';

// The floor's upstream side: for each provider the minimal documented calls, parsed with JSON.parse and
// mapped to exactly the fields the bench asks for. No validation, no error taxonomy, no retries: the
// least work any proxy has to do for the same answers.

export interface Email {
  readonly address: string;
  readonly verified: boolean;
}

export interface Card {
  readonly directory: string;
  readonly localId: string;
  /** Epoch ms; null when the directory has none. */
  readonly createdAt: number | null;
  readonly displayName: string | null;
  readonly emails: readonly Email[];
}

export interface FloorDirectory {
  readonly name: string;
  getUsers(ids: readonly string[]): Promise<(Card | null)[]>;
  /** The first `limit` users in creation order. */
  firstPage(limit: number): Promise<Card[]>;
  /** Accounts per normalized email; `listed` is this directory's `firstPage` result, when it has one. */
  findByEmails(emails: readonly string[], listed?: readonly Card[]): Promise<Map<string, Card[]>>;
  /** Group names and role keys per user, where the directory has both batched (ZITADEL only). */
  access?(localIds: readonly string[]): Promise<Map<string, { groups: string[]; roles: string[] }>>;
}

/**
 * Connections per origin (undici's Agent keeps one Pool per origin): FLOOR_CONNECTIONS, unlimited by
 * default (the fastest measured; BENCHMARKS.md, "An honest floor").
 */
const connections =
  process.env.FLOOR_CONNECTIONS === undefined ? null : Number(process.env.FLOOR_CONNECTIONS);
/** Directories over HTTPS (BENCH_TLS) name the bench's CA; the floor trusts it as usergraph does. */
const tls = (JSON.parse(process.env.FLOOR_DIRECTORIES ?? '[]') as BenchDirectory[]).find((d) => d.tls)?.tls;
const agent = new Agent({
  keepAliveTimeout: 30_000,
  connections,
  ...(tls === undefined ? {} : { connect: { ca: tls.ca }, allowH2: tls.http2 }),
});

/**
 * A batch's calls all go out at once: the floor is the least work any proxy must do, and a cap on a
 * batch's fan-out is a choice a proxy makes, not work it must do. FLOOR_FAN_OUT caps it (to compare
 * with the old floor, which capped it at the directory's `concurrency`).
 */
const FAN_OUT = Number(process.env.FLOOR_FAN_OUT ?? Number.POSITIVE_INFINITY);
const fanOut = <T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> =>
  FAN_OUT >= items.length ? Promise.all(items.map(fn)) : mapLimit(items, FAN_OUT, fn);

type Json = Record<string, unknown>;

async function call(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  json?: unknown,
): Promise<{ status: number; body: unknown; header: (name: string) => string | undefined }> {
  const res = await request(url, {
    method,
    headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
    dispatcher: agent,
  });
  if (res.statusCode === 404) {
    await res.body.dump();
    return { status: 404, body: null, header: () => undefined };
  }
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`${method} ${new URL(url).pathname}: upstream ${res.statusCode}`);
  }
  const body: unknown = await res.body.json();
  const raw = res.headers;
  return { status: 200, body, header: (name) => raw[name] as string | undefined };
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function str(value: unknown, blankIsNull: (s: string) => boolean): string | null {
  return typeof value === 'string' && !blankIsNull(value) ? value : null;
}
const empty = (s: string) => s === '';
const blank = (s: string) => s.trim() === '';
const joined = (parts: (string | null)[]) => parts.filter((p) => p !== null).join(' ') || null;

function byEmail(cards: readonly Card[], wanted: ReadonlySet<string>, into: Map<string, Card[]>): void {
  for (const card of cards) {
    for (const address of new Set(card.emails.map((e) => normalizeEmail(e.address)))) {
      if (wanted.has(address)) into.get(address)?.push(card);
    }
  }
}

function monocloud(d: Extract<BenchDirectory, { provider: 'monocloud' }>): FloorDirectory {
  const headers = { accept: 'application/json', 'x-api-key': d.apiKey };
  const card = (w: Json): Card => {
    const claims = (w.claims ?? {}) as Json;
    return {
      directory: d.name,
      localId: w.user_id as string,
      createdAt: typeof w.creation_time === 'number' ? w.creation_time * 1000 : null,
      displayName:
        str(claims.name, blank) ?? joined([str(claims.given_name, blank), str(claims.family_name, blank)]),
      emails: (w.emails as Json[]).map((e) => ({
        address: e.email as string,
        verified: e.verified as boolean,
      })),
    };
  };
  const list = async (query: string) => {
    const res = await call('GET', `${d.baseUrl}/api/users?${query}`, headers);
    const pagination = JSON.parse(res.header('x-pagination') ?? '{}') as { has_next?: boolean };
    return { cards: (res.body as Json[]).map(card), hasNext: pagination.has_next === true };
  };
  return {
    name: d.name,
    getUsers: (ids) =>
      fanOut(ids, async (id) => {
        const res = await call('GET', `${d.baseUrl}/api/users/${encodeURIComponent(id)}`, headers);
        return res.status === 404 ? null : card(res.body as Json);
      }),
    firstPage: async (limit) => (await list(`page=1&size=${limit}&sort=creation_time%3A1`)).cards,
    findByEmails: async (emails) => {
      const found = new Map(emails.map((email) => [email, [] as Card[]]));
      await fanOut(emails, async (email) => {
        for (let page = 1; ; page += 1) {
          const filter = encodeURIComponent(email);
          const result = await list(`page=${page}&size=100&filter=${filter}&sort=creation_time%3A1`);
          byEmail(result.cards, new Set([email]), found);
          if (!result.hasNext || result.cards.length === 0) return;
        }
      });
      return found;
    },
  };
}

function zitadel(d: Extract<BenchDirectory, { provider: 'zitadel' }>): FloorDirectory {
  const headers = { accept: 'application/json', authorization: `Bearer ${d.token}` };
  const card = (w: Json): Card => {
    const human = w.human as Json | undefined;
    const profile = (human?.profile ?? {}) as Json;
    const email = human?.email as Json | undefined;
    const address = str(email?.email, empty);
    const created = (w.details as Json | undefined)?.creationDate;
    return {
      directory: d.name,
      localId: w.userId as string,
      createdAt: typeof created === 'string' ? Date.parse(created) : null,
      displayName: human
        ? (str(profile.displayName, empty) ??
          joined([str(profile.givenName, empty), str(profile.familyName, empty)]))
        : str((w.machine as Json | undefined)?.name, empty),
      emails: address === null ? [] : [{ address, verified: email?.isVerified === true }],
    };
  };
  const listUsers = async (body: Json) => {
    const res = await call('POST', `${d.baseUrl}/v2/users`, headers, body);
    const page = res.body as { result?: Json[]; details?: { totalResult?: string } };
    return { cards: (page.result ?? []).map(card), total: Number(page.details?.totalResult ?? 0) };
  };
  const chunks = <T>(items: readonly T[]) => {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += d.chunkSize) out.push(items.slice(i, i + d.chunkSize));
    return out;
  };
  return {
    name: d.name,
    getUsers: async (ids) => {
      const byId = new Map<string, Card>();
      await fanOut(chunks(ids), async (chunk) => {
        const page = await listUsers({
          query: { offset: '0', limit: chunk.length, asc: true },
          queries: [{ inUserIdsQuery: { userIds: chunk } }],
        });
        for (const found of page.cards) byId.set(found.localId, found);
      });
      return ids.map((id) => byId.get(id) ?? null);
    },
    firstPage: async (limit) =>
      (
        await listUsers({
          query: { offset: '0', limit, asc: true },
          sortingColumn: 'USER_FIELD_NAME_CREATION_DATE',
        })
      ).cards,
    // The minimal calls for a page's groups and roles: memberships and authorizations by user ids, then
    // the groups the memberships name (ListGroupUsers carries no group name). One chunk (≤ 100 users).
    access: async (ids) => {
      const connect = (path: string, body: Json) => call('POST', `${d.baseUrl}${path}`, headers, body);
      const pagination = { offset: '0', limit: 1000, asc: true };
      const [members, authorizations] = await Promise.all([
        connect('/zitadel.group.v2.GroupService/ListGroupUsers', {
          filters: [{ userIds: { ids } }],
          pagination,
        }),
        connect('/zitadel.authorization.v2.AuthorizationService/ListAuthorizations', {
          sortingColumn: 'AUTHORIZATION_FIELD_NAME_USER_ID',
          filters: [{ inUserIds: { ids } }],
          pagination,
        }),
      ]);
      const rows = ((members.body as Json).groupUsers ?? []) as { groupId: string; user: { id: string } }[];
      const groupIds = [...new Set(rows.map((row) => row.groupId))];
      const groups = await connect('/zitadel.group.v2.GroupService/ListGroups', {
        filters: [{ groupIds: { ids: groupIds } }],
        pagination,
      });
      const names = new Map(
        (((groups.body as Json).groups ?? []) as { id: string; name: string }[]).map((g) => [g.id, g.name]),
      );
      const out = new Map(ids.map((id) => [id, { groups: [] as string[], roles: [] as string[] }]));
      for (const row of rows) {
        const name = names.get(row.groupId);
        if (name !== undefined) out.get(row.user.id)?.groups.push(name);
      }
      const grants = ((authorizations.body as Json).authorizations ?? []) as {
        user: { id: string };
        roles?: { key: string }[];
      }[];
      for (const grant of grants)
        out.get(grant.user.id)?.roles.push(...(grant.roles ?? []).map((r) => r.key));
      return out;
    },
    findByEmails: async (emails) => {
      const found = new Map(emails.map((email) => [email, [] as Card[]]));
      await fanOut(chunks(emails), async (chunk) => {
        const queries = [
          {
            orQuery: {
              queries: chunk.map((emailAddress) => ({
                emailQuery: { emailAddress, method: 'TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE' },
              })),
            },
          },
        ];
        const size = Math.max(chunk.length, 100);
        for (let offset = 0; ; offset += size) {
          const page = await listUsers({
            query: { offset: String(offset), limit: size, asc: true },
            sortingColumn: 'USER_FIELD_NAME_CREATION_DATE',
            queries,
          });
          byEmail(page.cards, new Set(chunk), found);
          if (offset + size >= page.total) return;
        }
      });
      return found;
    },
  };
}

const VOUCHING = new Set(['local-userpass', 'oauth2-google', 'oauth2-apple']);
const APP_SERVICES_PAGE = 50;

/** App Services needs a session: the floor logs in once, before it serves. */
async function appServices(
  d: Extract<BenchDirectory, { provider: 'app-services' }>,
): Promise<FloorDirectory> {
  const api = `${d.baseUrl}/api/admin/v3.0`;
  const login = await call(
    'POST',
    `${api}/auth/providers/mongodb-cloud/login`,
    {},
    {
      username: d.publicApiKey,
      apiKey: d.privateApiKey,
    },
  );
  const headers = {
    accept: 'application/json',
    authorization: `Bearer ${(login.body as { access_token: string }).access_token}`,
  };
  const app = `${api}/groups/${d.groupId}/apps/${d.appId}`;
  const card = (w: Json): Card => {
    const data = (w.data ?? {}) as Json;
    const address = str(data.email, empty);
    const identities = (w.identities ?? []) as Json[];
    return {
      directory: d.name,
      localId: w._id as string,
      createdAt: (w.creation_date as number) * 1000,
      displayName: str(data.name, empty) ?? joined([str(data.first_name, empty), str(data.last_name, empty)]),
      emails:
        address === null
          ? []
          : [{ address, verified: identities.some((i) => VOUCHING.has(i.provider_type as string)) }],
    };
  };
  const page = async (after?: string) => {
    const query = after === undefined ? 'sort=_id&desc=false' : `after=${after}&sort=_id&desc=false`;
    return ((await call('GET', `${app}/users?${query}`, headers)).body as Json[]).map(card);
  };
  return {
    name: d.name,
    getUsers: (ids) =>
      fanOut(ids, async (id) => {
        const res = await call('GET', `${app}/users/${encodeURIComponent(id)}`, headers);
        return res.status === 404 ? null : card(res.body as Json);
      }),
    firstPage: async (limit) => (await page()).slice(0, limit),
    // No email query: one scan of the whole list answers every email; the listing's first page is
    // the scan's first page, so it is not read twice.
    findByEmails: async (emails, listed) => {
      const found = new Map(emails.map((email) => [email, [] as Card[]]));
      const wanted = new Set(emails);
      let batch = listed && listed.length === APP_SERVICES_PAGE ? [...listed] : await page();
      for (;;) {
        byEmail(batch, wanted, found);
        if (batch.length < APP_SERVICES_PAGE) return found;
        batch = await page(batch.at(-1)?.localId);
      }
    },
  };
}

export async function floorDirectory(config: BenchDirectory): Promise<FloorDirectory> {
  switch (config.provider) {
    case 'monocloud':
      return monocloud(config);
    case 'zitadel':
      return zitadel(config);
    case 'app-services':
      return appServices(config);
  }
}
