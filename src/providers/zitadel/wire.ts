import { z } from 'zod';
import { checkedInPlace } from '../../http/compiled-schema.js';

// ZITADEL v2 user payloads as grpc-gateway sends them (protojson): lowerCamelCase keys, uint64 as
// strings, RFC 3339 timestamps, enums by name, and every default-valued field omitted — so nearly
// everything is optional here, and the mapper supplies the proto defaults.

/**
 * protojson writes uint64 as a string but every protojson reader also accepts a number; read as sent
 * (no transform), made a string with `optionalText` where it is kept.
 */
const uint64 = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);

/** A uint64 as the decimal string protojson writes; null when absent. */
export function optionalText(value: string | number | undefined): string | null {
  return value === undefined ? null : String(value);
}

const timestamp = z.iso.datetime({ offset: true });

export const userStateSchema = z.enum([
  'USER_STATE_UNSPECIFIED',
  'USER_STATE_ACTIVE',
  'USER_STATE_INACTIVE',
  'USER_STATE_DELETED',
  'USER_STATE_LOCKED',
  'USER_STATE_INITIAL',
]);

export const genderSchema = z.enum(['GENDER_UNSPECIFIED', 'GENDER_FEMALE', 'GENDER_MALE', 'GENDER_DIVERSE']);

export const accessTokenTypeSchema = z.enum(['ACCESS_TOKEN_TYPE_BEARER', 'ACCESS_TOKEN_TYPE_JWT']);

export const userFieldNameSchema = z.enum([
  'USER_FIELD_NAME_UNSPECIFIED',
  'USER_FIELD_NAME_USER_NAME',
  'USER_FIELD_NAME_FIRST_NAME',
  'USER_FIELD_NAME_LAST_NAME',
  'USER_FIELD_NAME_NICK_NAME',
  'USER_FIELD_NAME_DISPLAY_NAME',
  'USER_FIELD_NAME_EMAIL',
  'USER_FIELD_NAME_STATE',
  'USER_FIELD_NAME_TYPE',
  'USER_FIELD_NAME_CREATION_DATE',
]);

export const authFactorStateSchema = z.enum([
  'AUTH_FACTOR_STATE_UNSPECIFIED',
  'AUTH_FACTOR_STATE_NOT_READY',
  'AUTH_FACTOR_STATE_READY',
  'AUTH_FACTOR_STATE_REMOVED',
]);

/** object/v2 Details. */
export const detailsSchema = z.object({
  sequence: uint64.optional(),
  changeDate: timestamp.optional(),
  resourceOwner: z.string().optional(),
  creationDate: timestamp.optional(),
});

/** object/v2 ListDetails; `totalResult` is absent when it is 0. */
export const listDetailsSchema = z.object({
  totalResult: uint64.optional(),
  processedSequence: uint64.optional(),
  timestamp: timestamp.optional(),
});

export const humanProfileSchema = z.object({
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  nickName: z.string().optional(),
  displayName: z.string().optional(),
  preferredLanguage: z.string().optional(),
  gender: genderSchema.optional(),
  avatarUrl: z.string().optional(),
});

export const humanEmailSchema = z.object({
  email: z.string().optional(),
  isVerified: z.boolean().optional(),
});

export const humanPhoneSchema = z.object({
  phone: z.string().optional(),
  isVerified: z.boolean().optional(),
});

/** HumanUser. Its declared userId/state/username/loginNames are never filled by the server, so they are not read. */
export const humanUserSchema = z.object({
  profile: humanProfileSchema.optional(),
  email: humanEmailSchema.optional(),
  phone: humanPhoneSchema.optional(),
  passwordChangeRequired: z.boolean().optional(),
  passwordChanged: timestamp.optional(),
  mfaInitSkipped: timestamp.optional(),
});

export const machineUserSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  hasSecret: z.boolean().optional(),
  accessTokenType: accessTokenTypeSchema.optional(),
});

export const userSchema = checkedInPlace(
  z
    .object({
      userId: z.string().min(1),
      details: detailsSchema.optional(),
      state: userStateSchema.optional(),
      username: z.string().optional(),
      loginNames: z.array(z.string()).optional(),
      preferredLoginName: z.string().optional(),
      human: humanUserSchema.optional(),
      machine: machineUserSchema.optional(),
    })
    .refine((user) => (user.human === undefined) !== (user.machine === undefined), {
      message: 'exactly one of human or machine (oneof type)',
    }),
  { oneOf: [{ required: ['human'] }, { required: ['machine'] }] },
);

export const getUserByIdResponseSchema = checkedInPlace(
  z.object({
    /** Deprecated copy of `user.details`. */
    details: detailsSchema.optional(),
    user: userSchema,
  }),
);

export const listUsersResponseSchema = checkedInPlace(
  z.object({
    details: listDetailsSchema.optional(),
    sortingColumn: userFieldNameSchema.optional(),
    result: z.array(userSchema).optional(),
  }),
);

export const idpLinkSchema = z.object({
  idpId: z.string().min(1),
  userId: z.string().min(1),
  userName: z.string().optional(),
});

export const listIdpLinksResponseSchema = checkedInPlace(
  z.object({
    details: listDetailsSchema.optional(),
    result: z.array(idpLinkSchema).optional(),
  }),
);

export const passkeySchema = z.object({
  id: z.string().min(1),
  state: authFactorStateSchema.optional(),
  name: z.string().optional(),
});

export const listPasskeysResponseSchema = checkedInPlace(
  z.object({
    details: listDetailsSchema.optional(),
    result: z.array(passkeySchema).optional(),
  }),
);

export type WireDetails = z.output<typeof detailsSchema>;
export type WireListDetails = z.output<typeof listDetailsSchema>;
export type WireUser = z.output<typeof userSchema>;
export type WireHumanUser = z.output<typeof humanUserSchema>;
export type WireMachineUser = z.output<typeof machineUserSchema>;
export type WireGetUserByIdResponse = z.output<typeof getUserByIdResponseSchema>;
export type WireListUsersResponse = z.output<typeof listUsersResponseSchema>;
export type WireIdpLink = z.output<typeof idpLinkSchema>;
export type WirePasskey = z.output<typeof passkeySchema>;
export type UserFieldName = z.output<typeof userFieldNameSchema>;

/** One entry of ListUsersRequest.queries (a oneof); typed for the queries usergraph sends. */
export type WireSearchQuery =
  | { readonly inUserIdsQuery: { readonly userIds: readonly string[] } }
  | { readonly inUserEmailsQuery: { readonly userEmails: readonly string[] } }
  | { readonly emailQuery: { readonly emailAddress: string; readonly method: WireTextQueryMethod } }
  | { readonly displayNameQuery: { readonly displayName: string; readonly method: WireTextQueryMethod } }
  | { readonly userNameQuery: { readonly userName: string; readonly method: WireTextQueryMethod } }
  | { readonly firstNameQuery: { readonly firstName: string; readonly method: WireTextQueryMethod } }
  | { readonly lastNameQuery: { readonly lastName: string; readonly method: WireTextQueryMethod } }
  | { readonly stateQuery: { readonly state: WireUserState } }
  | { readonly typeQuery: { readonly type: 'TYPE_HUMAN' | 'TYPE_MACHINE' } }
  | { readonly orQuery: { readonly queries: readonly WireSearchQuery[] } };

export type WireTextQueryMethod =
  | 'TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE'
  | 'TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE';
export type WireUserState = z.output<typeof userStateSchema>;
