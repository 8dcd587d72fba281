import { z } from 'zod';
import { checkedInPlace } from '../../http/compiled-schema.js';

// ZITADEL's groups, authorizations, sessions and events as protojson (groups-roles-changes.md §2).
// uint64 arrives as a string (or a number); unknown fields pass.

// Read as sent, no transform; `uint64Number` makes it a number where it is used.
const uint64 = z.union([z.string(), z.number()]);

/** A uint64 as a number; undefined when absent. */
export function uint64Number(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}
const pagination = z.object({ totalResult: uint64.optional(), appliedLimit: uint64.optional() }).optional();

export const wireGroup = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  organizationId: z.string().optional(),
  creationDate: z.string().optional(),
  changeDate: z.string().optional(),
});

export const listGroupsResponse = checkedInPlace(
  z.object({ groups: z.array(wireGroup).optional(), pagination }),
);

export const wireGroupUser = z.object({
  groupId: z.string(),
  user: z.object({ id: z.string() }),
  creationDate: z.string().optional(),
});

export const listGroupUsersResponse = checkedInPlace(
  z.object({
    groupUsers: z.array(wireGroupUser).optional(),
    pagination,
  }),
);

const state = z.string().optional();

export const wireAuthorization = z.object({
  id: z.string(),
  creationDate: z.string().optional(),
  changeDate: z.string().optional(),
  project: z.object({ id: z.string(), name: z.string().optional(), organizationId: z.string().optional() }),
  user: z.object({ id: z.string() }),
  state,
  roles: z
    .array(z.object({ key: z.string(), displayName: z.string().optional(), group: z.string().optional() }))
    .optional(),
});

export const listAuthorizationsResponse = checkedInPlace(
  z.object({
    authorizations: z.array(wireAuthorization).optional(),
    pagination,
  }),
);

/** The deprecated v2beta shape: flat, role keys only. */
export const wireAuthorizationV2beta = z.object({
  id: z.string(),
  creationDate: z.string().optional(),
  changeDate: z.string().optional(),
  projectId: z.string(),
  projectName: z.string().optional(),
  organizationId: z.string().optional(),
  userId: z.string(),
  state,
  roles: z.array(z.string()).optional(),
});

export const listAuthorizationsV2betaResponse = checkedInPlace(
  z.object({
    authorizations: z.array(wireAuthorizationV2beta).optional(),
    pagination,
  }),
);

export const wireSession = z.object({
  id: z.string(),
  creationDate: z.string().optional(),
  changeDate: z.string().optional(),
  expirationDate: z.string().optional(),
  userAgent: z.object({ ip: z.string().optional(), description: z.string().optional() }).optional(),
});

export const listSessionsResponse = checkedInPlace(
  z.object({
    sessions: z.array(wireSession).optional(),
    details: z.object({ totalResult: uint64.optional() }).optional(),
  }),
);

export const wireEvent = z.object({
  aggregate: z.object({ id: z.string(), type: z.object({ type: z.string() }) }),
  sequence: uint64,
  creationDate: z.string(),
  payload: z.record(z.string(), z.unknown()).nullable().optional(),
  type: z.object({ type: z.string() }),
});

export const listEventsResponse = checkedInPlace(z.object({ events: z.array(wireEvent).optional() }));

export type WireGroup = z.infer<typeof wireGroup>;
export type WireGroupUser = z.infer<typeof wireGroupUser>;
export type WireAuthorization = z.infer<typeof wireAuthorization>;
export type WireAuthorizationV2beta = z.infer<typeof wireAuthorizationV2beta>;
export type WireSession = z.infer<typeof wireSession>;
export type WireEvent = z.infer<typeof wireEvent>;
