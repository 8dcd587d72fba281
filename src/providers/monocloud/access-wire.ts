import { z } from 'zod';

// MonoCloud's groups, memberships, sessions and logs on the wire ([MC] management-js models, see
// shared/providers/groups-roles-changes.md §1). Unknown fields pass; what usergraph reads is checked.

const seconds = z.number().nullable().optional();

export const wireGroup = z.object({
  group_id: z.string(),
  type: z.string().optional(),
  name: z.string(),
  description: z.string().nullable().optional(),
  users_assigned: z.number().int().nonnegative().nullable().optional(),
  creation_time: seconds,
  last_updated: seconds,
});

export const wireUserGroup = z.object({
  group_id: z.string(),
  user_id: z.string(),
  creation_time: seconds,
  group_name: z.string().optional(),
});

export const wireSession = z.object({
  session_id: z.string(),
  client_ids: z.array(z.string()).nullable().optional(),
  initiated_at: seconds,
  expires_at: seconds,
  last_updated: seconds,
  last_metadata: z
    .object({ ip_address: z.string().nullable().optional(), user_agent: z.string().nullable().optional() })
    .nullable()
    .optional(),
});

const target = z.object({ type: z.string(), id: z.string().nullable().optional() });

export const wireLog = z.object({
  id: z.string(),
  time_stamp: z.number(),
  code: z.string(),
  targets: z.array(target).nullable().optional(),
});

export type WireGroup = z.infer<typeof wireGroup>;
export type WireUserGroup = z.infer<typeof wireUserGroup>;
export type WireSession = z.infer<typeof wireSession>;
export type WireLog = z.infer<typeof wireLog>;
