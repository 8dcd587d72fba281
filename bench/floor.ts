// The floor: a minimal hand-written proxy (plain node:http + undici, no GraphQL library) that answers
// the bench's operations with the same JSON as usergraph, making the minimal upstream calls. It does
// not parse GraphQL: it routes on `operationName` and reads only `variables`.
// Config: FLOOR_DIRECTORIES (JSON BenchDirectory[]). Prints {"port": n} once it serves.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchDirectory } from './directories.js';
import { type Card, type FloorDirectory, floorDirectory, normalizeEmail } from './floor-directories.js';

const configs = JSON.parse(process.env.FLOOR_DIRECTORIES ?? '[]') as BenchDirectory[];
const directories = await Promise.all(configs.map(floorDirectory));
const byName = new Map(directories.map((directory) => [directory.name, directory]));

const globalId = (card: Card) =>
  Buffer.from(`u1:${card.directory}:${card.localId}`, 'utf8').toString('base64url');

const userFields = (card: Card | null) =>
  card === null
    ? null
    : {
        id: globalId(card),
        displayName: card.displayName,
        emails: card.emails.map((email) => ({ address: email.address, verified: email.verified })),
      };

function decode(id: string): { directory: FloorDirectory; localId: string } {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const colon = text.indexOf(':', 3);
  const directory = byName.get(text.slice(3, colon));
  if (!text.startsWith('u1:') || colon < 0 || directory === undefined) throw new Error('bad id');
  return { directory, localId: text.slice(colon + 1) };
}

/** Every id of one directory in one batch, answers in the ids' order. */
async function byIds(ids: readonly string[]): Promise<(Card | null)[]> {
  const groups = new Map<FloorDirectory, { localIds: string[]; at: number[] }>();
  ids.forEach((id, index) => {
    const { directory, localId } = decode(id);
    const group = groups.get(directory) ?? { localIds: [], at: [] };
    groups.set(directory, group);
    group.localIds.push(localId);
    group.at.push(index);
  });
  const out = new Array<Card | null>(ids.length).fill(null);
  await Promise.all(
    [...groups].map(async ([directory, group]) => {
      const distinct = [...new Set(group.localIds)];
      const cards = await directory.getUsers(distinct);
      const found = new Map(distinct.map((id, index) => [id, cards[index] ?? null]));
      group.localIds.forEach((localId, index) => {
        out[group.at[index] as number] = found.get(localId) ?? null;
      });
    }),
  );
  return out;
}

function compare(a: Card, b: Card): number {
  const at = a.createdAt ?? Number.POSITIVE_INFINITY;
  const bt = b.createdAt ?? Number.POSITIVE_INFINITY;
  if (at !== bt) return at < bt ? -1 : 1;
  if (a.directory !== b.directory) return a.directory < b.directory ? -1 : 1;
  return a.localId < b.localId ? -1 : a.localId > b.localId ? 1 : 0;
}

const verifiedEmails = (card: Card) => [
  ...new Set(card.emails.filter((email) => email.verified).map((email) => normalizeEmail(email.address))),
];

/** The first `first` users of every directory merged in creation order, each with its linked accounts. */
async function mergedPage(first: number) {
  const pages = await Promise.all(directories.map((directory) => directory.firstPage(first)));
  const heads = pages.map(() => 0);
  const page: Card[] = [];
  while (page.length < first) {
    let best = -1;
    pages.forEach((cards, index) => {
      const head = cards[heads[index] as number];
      const bestHead = best < 0 ? undefined : pages[best]?.[heads[best] as number];
      if (head !== undefined && (bestHead === undefined || compare(head, bestHead) < 0)) best = index;
    });
    if (best < 0) break;
    page.push(pages[best]?.[heads[best] as number] as Card);
    heads[best] = (heads[best] as number) + 1;
  }

  const lookups = await Promise.all(
    directories.map((directory, index) => {
      const wanted = new Set<string>();
      for (const card of page) {
        if (card.directory !== directory.name) for (const email of verifiedEmails(card)) wanted.add(email);
      }
      return wanted.size === 0
        ? new Map<string, Card[]>()
        : directory.findByEmails([...wanted], pages[index]);
    }),
  );

  return page.map((card) => {
    const links = new Map<string, { matchedEmail: string; user: { id: string } }>();
    for (const email of verifiedEmails(card)) {
      directories.forEach((directory, index) => {
        if (directory.name === card.directory) return;
        for (const account of lookups[index]?.get(email) ?? []) {
          const held = account.emails.find((candidate) => normalizeEmail(candidate.address) === email);
          const key = `${account.directory}\u0000${account.localId}`;
          if (held?.verified && !links.has(key))
            links.set(key, { matchedEmail: email, user: { id: globalId(account) } });
        }
      });
    }
    return { ...userFields(card), linkedAccounts: [...links.values()] };
  });
}

/** A page of one directory's users with their groups' names and role keys. */
async function accessPage(name: string, first: number) {
  const directory = byName.get(name);
  if (!directory?.access) throw new Error(`no batched access reads for ${name}`);
  const page = (await directory.firstPage(first)).sort(compare);
  const access = await directory.access(page.map((card) => card.localId));
  return {
    directory: {
      users: {
        nodes: page.map((card) => ({
          id: globalId(card),
          displayName: card.displayName,
          groups: { nodes: (access.get(card.localId)?.groups ?? []).map((group) => ({ name: group })) },
          roles: { nodes: (access.get(card.localId)?.roles ?? []).map((roleKey) => ({ roleKey })) },
        })),
      },
    },
  };
}

interface Operation {
  readonly operationName?: string;
  readonly variables?: {
    readonly id?: string;
    readonly ids?: readonly string[];
    readonly first?: number;
    readonly directory?: string;
  };
}

async function answer(operation: Operation): Promise<unknown> {
  const variables = operation.variables ?? {};
  switch (operation.operationName) {
    case 'User':
      return { user: userFields((await byIds([variables.id ?? '']))[0] ?? null) };
    case 'Nodes':
      return { nodes: (await byIds(variables.ids ?? [])).map(userFields) };
    case 'MergedPage':
      return { users: { nodes: await mergedPage(variables.first ?? 50) } };
    case 'AccessPage':
      return accessPage(variables.directory ?? '', variables.first ?? 50);
    default:
      throw new Error('unknown operation');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/graphql')
    return send(res, 404, { errors: [{ message: 'not found' }] });
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    Promise.resolve()
      .then(() => answer(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Operation))
      .then(
        (data) => send(res, 200, { data }),
        (error: unknown) => send(res, 502, { errors: [{ message: String(error) }] }),
      );
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
