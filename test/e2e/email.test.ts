import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeUserId } from '../../src/directory/global-id.js';
import {
  LinkedAccountsDocument,
  MergedPageWithLinksDocument,
  UsersByEmailDocument,
} from '../generated/graphql.js';
import { Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await Stack.start();
});
afterAll(() => stack.close());
beforeEach(() => stack.sims.resetAll());

/** Every email in the simulators' data, with where it is held and whether it is verified there. */
function emailIndex() {
  const index = new Map<string, { directory: string; localId: string; verified: boolean }[]>();
  const add = (email: string, directory: string, localId: string, verified: boolean) => {
    const key = email.toLowerCase();
    index.set(key, [...(index.get(key) ?? []), { directory, localId, verified }]);
  };
  for (const user of stack.sims.monocloud.users) {
    for (const email of user.emails)
      add(email.email, 'acme', user.user_id, (email as { verified?: boolean }).verified === true);
  }
  for (const record of stack.sims.zitadel.records) {
    const email = record.user.human?.email;
    if (email?.email) add(email.email, 'corp', record.user.userId, email.isVerified === true);
  }
  for (const user of stack.sims.appServices.records) {
    const email = (user.data as { email?: unknown } | undefined)?.email;
    const verified = (user.identities ?? []).some((i) =>
      ['local-userpass', 'oauth2-google', 'oauth2-apple'].includes(i.provider_type),
    );
    if (typeof email === 'string') add(email, 'mobile', user._id, verified);
  }
  return index;
}

describe('usersByEmail', () => {
  it('finds every account holding each address, with its verification, whatever the case and spacing', async () => {
    const index = emailIndex();
    const shared = [...index.entries()]
      .filter(([, holders]) => new Set(holders.map((h) => h.directory)).size >= 2)
      .slice(0, 5);
    expect(shared.length).toBe(5);
    const asked = shared.map(([email], i) => (i % 2 === 0 ? ` ${email.toUpperCase()} ` : email));
    const { body } = await stack.execute(UsersByEmailDocument, {
      emails: [...asked, 'nobody@example.invalid'],
    });
    expect(body.errors).toBeUndefined();
    const answer = body.data?.usersByEmail ?? [];
    expect(answer.map((entry) => entry.email)).toEqual([
      ...shared.map(([email]) => email),
      'nobody@example.invalid',
    ]);
    shared.forEach(([, holders], i) => {
      const got = (answer[i]?.accounts ?? []).map((a) => ({
        directory: a.user.directory.name,
        localId: a.user.localId,
        verified: a.verified,
      }));
      expect(new Set(got.map((g) => JSON.stringify(g)))).toEqual(
        new Set(holders.map((h) => JSON.stringify(h))),
      );
    });
    expect(answer[5]?.accounts).toEqual([]);
    // One batched lookup per directory for all six addresses.
    expect(stack.sims.zitadel.count('listUsers')).toBe(1);
    expect(stack.sims.monocloud.count('listUsers')).toBe(6);
  });

  it('rejects something that is not an address with BAD_USER_INPUT naming it', async () => {
    const { body } = await stack.execute(UsersByEmailDocument, { emails: ['a@example.com', 'not-an-email'] });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'emails[1]' });
  });
});

describe('linkedAccounts', () => {
  it('links accounts in other directories by emails verified on both sides, one lookup per directory for a page of 50', async () => {
    const index = emailIndex();
    const ids = stack.ids.monocloud.slice(0, 50);
    const { body } = await stack.execute(LinkedAccountsDocument, {
      ids: ids.map((id) => encodeUserId('acme', id)),
    });
    expect(body.errors).toBeUndefined();
    let links = 0;
    for (const node of body.data?.nodes ?? []) {
      if (!node || !('linkedAccounts' in node)) continue;
      const expected = (node.emails ?? [])
        .filter((email) => email.verified)
        .flatMap((email) =>
          (index.get(email.address.toLowerCase()) ?? []).filter((h) => h.directory !== 'acme' && h.verified),
        )
        .map((h) => encodeUserId(h.directory, h.localId));
      expect(new Set(node.linkedAccounts?.map((link) => link.user.id))).toEqual(new Set(expected));
      links += node.linkedAccounts?.length ?? 0;
    }
    expect(links).toBeGreaterThan(0);
    expect(stack.sims.zitadel.count('listUsers')).toBe(1);
    expect(stack.sims.monocloud.count('listUsers')).toBe(0);
    const appPages = Math.ceil(stack.sims.appServices.records.length / 50);
    expect(stack.sims.appServices.count('listUsers')).toBeLessThanOrEqual(appPages + 1);
  });

  it('reads no list page twice for a merged page with links: the email scan reuses the listing’s pages', async () => {
    const { body } = await stack.execute(MergedPageWithLinksDocument, { first: 50 });
    expect(body.errors).toBeUndefined();
    expect(body.data?.users?.nodes.some((node) => (node.linkedAccounts?.length ?? 0) > 0)).toBe(true);
    const pages = stack.sims.appServices.log
      .filter((entry) => entry.route === 'listUsers')
      .map((entry) => entry.query);
    expect(pages.length).toBeGreaterThan(1);
    expect(new Set(pages).size).toBe(pages.length);
  });

  it('never links through an unverified address', async () => {
    const index = emailIndex();
    const unverified = [...index.entries()].find(
      ([, holders]) =>
        holders.length >= 2 && holders.some((h) => !h.verified) && holders.some((h) => h.verified),
    );
    expect(unverified).toBeDefined();
    const [, holders] = unverified ?? ['', []];
    const ids = holders.map((h) => encodeUserId(h.directory, h.localId));
    const { body } = await stack.execute(LinkedAccountsDocument, { ids });
    for (const [i, node] of (body.data?.nodes ?? []).entries()) {
      if (!node || !('linkedAccounts' in node)) continue;
      const linkedIds = node.linkedAccounts?.map((link) => link.user.id);
      holders.forEach((h, j) => {
        if (j !== i && (!h.verified || !holders[i]?.verified))
          expect(linkedIds).not.toContain(encodeUserId(h.directory, h.localId));
      });
    }
  });
});
