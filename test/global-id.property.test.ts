import fc from 'fast-check';
import { expect, it } from 'vitest';
import { decodeGroupId, decodeUserId, encodeGroupId, encodeUserId } from '../src/directory/global-id.js';

// decodeGroupId tells a user id from a group id by its first four characters, without decoding it
// (every id a lookup names is asked). These hold it to what a full decode says.

const part = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes(':'));

/** The definition: base64url text that decodes to `g1:<directory>:<localId>`. */
function byDecoding(id: string): { directory: string; localId: string } | null {
  if (id.length > 512 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  if (!text.startsWith('g1:')) return null;
  const rest = text.slice(3);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return null;
  return { directory: rest.slice(0, colon), localId: rest.slice(colon + 1) };
}

it('finds every group id, and only group ids, as a full decode does', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.tuple(part, fc.string({ minLength: 1, maxLength: 40 })).map(([d, l]) => encodeGroupId(d, l)),
        fc.tuple(part, fc.string({ minLength: 1, maxLength: 40 })).map(([d, l]) => encodeUserId(d, l)),
        fc.string({ maxLength: 40 }).map((text) => Buffer.from(text, 'utf8').toString('base64url')),
        fc.string({ maxLength: 40 }),
        fc.constantFrom('ZzE6', 'ZzE6YQ', 'ZzE6YTpi', 'dTE6YTpi', ''),
      ),
      (id) => {
        expect(decodeGroupId(id)).toEqual(byDecoding(id));
      },
    ),
    { numRuns: 2000 },
  );
  const group = encodeGroupId('corp', 'g-1');
  expect(decodeGroupId(group)).toEqual({ directory: 'corp', localId: 'g-1' });
  expect(decodeGroupId(encodeUserId('corp', 'g-1'))).toBeNull();
  expect(decodeUserId(encodeUserId('corp', 'u:1'))).toEqual({ directory: 'corp', localId: 'u:1' });
});
