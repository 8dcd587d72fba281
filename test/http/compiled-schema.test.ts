import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkedInPlace, compiledCheck } from '../../src/http/compiled-schema.js';
import { decode } from '../../src/http/decode.js';
import { mapUser as mapAppServicesUser } from '../../src/providers/app-services/mapper.js';
import {
  WireUser as AppServicesUser,
  WireUserList as AppServicesUserList,
} from '../../src/providers/app-services/wire.js';
import { mapUser as mapMonoCloudUser } from '../../src/providers/monocloud/mapper.js';
import {
  wireUser as monoCloudUser,
  wireUserList as monoCloudUserList,
} from '../../src/providers/monocloud/wire.js';
import {
  listAuthorizationsResponse,
  listEventsResponse,
  listGroupsResponse,
  listGroupUsersResponse,
  listSessionsResponse,
} from '../../src/providers/zitadel/access-wire.js';
import { toZitadelUser } from '../../src/providers/zitadel/mapper.js';
import {
  getUserByIdResponseSchema,
  listUsersResponseSchema,
  userSchema as zitadelUser,
} from '../../src/providers/zitadel/wire.js';

// decode() checks on-contract bodies with an ajv validator compiled from the zod schema, and trusts it
// to accept exactly what zod accepts (src/http/compiled-schema.ts). These properties hold it to that on
// the contract's own fixtures and on every kind of damage to them, and check that a body read without
// zod's copy maps to the same user.

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

const CASES: readonly { readonly name: string; readonly schema: z.ZodType; readonly samples: unknown[] }[] = [
  {
    name: 'MonoCloud user',
    schema: monoCloudUser,
    samples: [fixture('monocloud-get-user.json'), fixture('monocloud-current-user.json')],
  },
  { name: 'MonoCloud user list', schema: monoCloudUserList, samples: [fixture('monocloud-list-users.json')] },
  { name: 'App Services user', schema: AppServicesUser, samples: [fixture('app-services-get-user.json')] },
  {
    name: 'App Services user list',
    schema: AppServicesUserList,
    samples: [[fixture('app-services-get-user.json'), fixture('app-services-get-user.json')]],
  },
  {
    name: 'ZITADEL user by id',
    schema: getUserByIdResponseSchema,
    samples: [fixture('zitadel-get-user-human.json'), fixture('zitadel-get-user-machine.json')],
  },
  {
    name: 'ZITADEL user list',
    schema: listUsersResponseSchema,
    samples: [fixture('zitadel-list-users.json')],
  }, // Groups, roles, sessions and events (groups-roles-changes.md §2), as the ZITADEL simulator writes them.
  {
    name: 'ZITADEL groups',
    schema: listGroupsResponse,
    samples: [
      {
        groups: [{ id: '1', name: 'admins', organizationId: '9', creationDate: '2024-01-01T00:00:00Z' }],
        pagination: { totalResult: '1', appliedLimit: '100' },
      },
    ],
  },
  {
    name: 'ZITADEL group members',
    schema: listGroupUsersResponse,
    samples: [{ groupUsers: [{ groupId: '1', user: { id: '7' } }], pagination: { totalResult: 1 } }],
  },
  {
    name: 'ZITADEL authorizations',
    schema: listAuthorizationsResponse,
    samples: [
      {
        authorizations: [
          {
            id: 'a',
            project: { id: 'p', name: 'Portal' },
            user: { id: '7' },
            state: 'STATE_ACTIVE',
            roles: [{ key: 'admin', displayName: 'Admin' }],
          },
        ],
        pagination: { totalResult: '1' },
      },
    ],
  },
  {
    name: 'ZITADEL sessions',
    schema: listSessionsResponse,
    samples: [
      { sessions: [{ id: 's', creationDate: '2024-01-01T00:00:00Z', userAgent: { ip: '192.0.2.1' } }] },
    ],
  },
  {
    name: 'ZITADEL events',
    schema: listEventsResponse,
    samples: [
      {
        events: [
          {
            aggregate: { id: '7', type: { type: 'user' } },
            sequence: '12',
            creationDate: '2024-01-01T00:00:00Z',
            payload: { a: 1 },
            type: { type: 'user.human.added' },
          },
        ],
      },
    ],
  },
];

/** Every path to a value inside `value`. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      out.push(...paths(item, [...at, index]));
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) out.push(...paths(item, [...at, key]));
  }
  return out;
}

type Damage =
  | { readonly kind: 'replace'; readonly value: unknown }
  | { readonly kind: 'delete' }
  | { readonly kind: 'add'; readonly key: string; readonly value: unknown };

/** A copy of `value` with the damage done at `path` (the root can only be replaced). */
function damaged(value: unknown, path: readonly (string | number)[], damage: Damage): unknown {
  const copy = structuredClone(value);
  if (path.length === 0) return damage.kind === 'replace' ? damage.value : copy;
  let parent = copy as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (damage.kind === 'replace') parent[last] = damage.value;
  else if (damage.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = parent[last];
    if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
      (target as Record<string, unknown>)[damage.key] = damage.value;
    }
  }
  return copy;
}

// Values a provider might send by mistake: other types, edge numbers, strings that look like dates
// and ids, and the shapes the schemas name (so a replacement is sometimes valid).
const anyValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 53,
    -(2 ** 53),
    '',
    '12345',
    '-3',
    '2024-02-30T10:00:00Z',
    '2024-02-29T10:00:00.5+01:00',
    '2023-02-29T10:00:00Z',
    '2024-01-01T25:00:00Z',
    'USER_STATE_ACTIVE',
    'USER_STATE_SOMETHING',
    'local-userpass',
    'oauth2-google',
    {},
    [],
    { human: {} },
    { human: {}, machine: {} },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), value: anyValue }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({ kind: fc.constant('add' as const), key: fc.string({ maxLength: 12 }), value: anyValue }),
);

describe('compiled contract checks agree with zod', () => {
  for (const { name, schema, samples } of CASES) {
    it(`${name}: compiled by ajv, and accepts what zod accepts, on the fixtures and damaged copies`, () => {
      const check = compiledCheck(schema);
      expect(check, `${name} is compiled`).not.toBeNull();
      if (check === null) return;
      for (const sample of samples) {
        expect(schema.safeParse(sample).success).toBe(true);
        expect(check(sample)).toBe(true);
      }
      fc.assert(
        fc.property(
          fc
            .constantFrom(...samples)
            .chain((sample) =>
              fc.tuple(
                fc.constant(sample),
                fc.constantFrom(...paths(sample)),
                fc.array(damage, { minLength: 1, maxLength: 3 }),
              ),
            ),
          ([sample, path, damages]) => {
            let value = sample;
            for (const each of damages) value = damaged(value, path, each);
            expect(check(value)).toBe(schema.safeParse(value).success);
          },
        ),
        { numRuns: 400 },
      );
    });
  }

  it('a user read in place maps to the same unified user as zod’s copy, unknown keys and all', () => {
    const at = new Date('2026-11-30T00:00:00Z');
    // Keys the contract does not name, an own `__proto__` among them, as a provider's JSON would carry them.
    const extra = (value: unknown) =>
      JSON.stringify({ ...(value as object), unexpected: { nested: [1, 2] } }).replace(
        /^\{/,
        '{"__proto__":{"polluted":true},',
      );
    const mono = extra(fixture('monocloud-get-user.json'));
    expect(Object.hasOwn(JSON.parse(mono), '__proto__')).toBe(true);
    expect(mapMonoCloudUser(decode('monocloud', 'op', monoCloudUser, mono), 'corp', at)).toEqual(
      mapMonoCloudUser(monoCloudUser.parse(JSON.parse(mono)), 'corp', at),
    );
    const app = extra(fixture('app-services-get-user.json'));
    expect(mapAppServicesUser(decode('app-services', 'op', AppServicesUser, app), 'partners')).toEqual(
      mapAppServicesUser(AppServicesUser.parse(JSON.parse(app)), 'partners'),
    );
    const zitadel = fixture('zitadel-get-user-human.json') as { user: unknown };
    const read = decode(
      'zitadel',
      'op',
      getUserByIdResponseSchema,
      JSON.stringify({ ...zitadel, more: 1 }),
    ).user;
    expect(toZitadelUser(read, 'acme')).toEqual(toZitadelUser(zitadelUser.parse(zitadel.user), 'acme'));
  });

  it('checks in place only what the contract declared, and never a schema that changes what it parses', () => {
    expect(compiledCheck(z.object({ id: z.string() }))).toBeNull();
    expect(compiledCheck(checkedInPlace(z.object({ id: z.string().transform(Number) })))).toBeNull();
    // ajv counts '😀' as 1 where zod counts 2: a string maxLength stays zod's.
    expect(compiledCheck(checkedInPlace(z.object({ id: z.string().max(1) })))).toBeNull();
    expect(compiledCheck(checkedInPlace(z.object({ id: z.string().min(1) })))).not.toBeNull();
    expect(compiledCheck(checkedInPlace(z.object({ id: z.string().default('x') })))).toBeNull();
  });

  it('an off-contract body still fails with zod’s words for where it broke', () => {
    const body = JSON.stringify({ ...(fixture('monocloud-get-user.json') as object), user_id: 42 });
    expect(() => decode('monocloud', 'GET /api/users/{id}', monoCloudUser, body)).toThrow(
      /off-contract body: user_id: /,
    );
  });
});
