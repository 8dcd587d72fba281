import type {
  Email,
  Identity,
  Passkey,
  PhoneNumber,
  Timestamp,
  UserStatus,
  ZitadelMachineDetails,
  ZitadelUser,
} from '../../directory/model.js';
import { fromDateTimeString } from '../../directory/timestamp.js';
import {
  optionalText,
  type WireHumanUser,
  type WireIdpLink,
  type WireMachineUser,
  type WirePasskey,
  type WireUser,
} from './wire.js';

// Pure wire → model mapping. protojson omits default values, so an absent boolean is false, an
// absent enum is its zero value, and an absent or empty string is "no such fact" (null).

const STATUS: Readonly<Record<NonNullable<WireUser['state']>, UserStatus | null>> = {
  USER_STATE_UNSPECIFIED: null,
  USER_STATE_ACTIVE: 'ACTIVE',
  USER_STATE_INACTIVE: 'INACTIVE',
  USER_STATE_DELETED: 'DELETED',
  USER_STATE_LOCKED: 'LOCKED',
  USER_STATE_INITIAL: 'INITIAL',
};

const GENDER = {
  GENDER_UNSPECIFIED: null,
  GENDER_FEMALE: 'FEMALE',
  GENDER_MALE: 'MALE',
  GENDER_DIVERSE: 'DIVERSE',
} as const;

export function toZitadelUser(wire: WireUser, directory: string): ZitadelUser {
  const human = wire.human;
  const profile = human?.profile;
  return {
    provider: 'zitadel',
    directory,
    localId: wire.userId,
    kind: human ? 'HUMAN' : 'MACHINE',
    status: wire.state === undefined ? null : STATUS[wire.state],
    displayName: human ? humanDisplayName(human) : text(wire.machine?.name),
    givenName: text(profile?.givenName),
    familyName: text(profile?.familyName),
    username: text(wire.username),
    emails: human ? emails(human) : [],
    phoneNumbers: human ? phoneNumbers(human) : [],
    // The v2 user has no password flag; a recorded change proves one exists, its absence proves nothing.
    hasPassword: human?.passwordChanged === undefined ? null : true,
    passwordChangedAt: timestamp(human?.passwordChanged),
    passwordChangeRequired: human ? human.passwordChangeRequired === true : null,
    createdAt: timestamp(wire.details?.creationDate),
    updatedAt: timestamp(wire.details?.changeDate),
    lastSignInAt: null,
    loginNames: wire.loginNames ?? [],
    preferredLoginName: text(wire.preferredLoginName),
    nickname: text(profile?.nickName),
    preferredLanguage: language(profile?.preferredLanguage),
    gender: profile?.gender === undefined ? null : GENDER[profile.gender],
    avatarUrl: text(profile?.avatarUrl),
    resourceOwner: text(wire.details?.resourceOwner),
    sequence: optionalText(wire.details?.sequence),
    mfaInitSkippedAt: timestamp(human?.mfaInitSkipped),
    machine: wire.machine ? machineDetails(wire.machine) : null,
  };
}

export function toIdentity(link: WireIdpLink): Identity {
  return { provider: link.idpId, providerUserId: link.userId, userName: text(link.userName), claims: null };
}

/**
 * Passkeys a user can sign in with. The server already lists only READY ones; a NOT_READY
 * (registration never finished) or REMOVED passkey is not a credential, so it is dropped if sent.
 * ZITADEL exposes no WebAuthn details, so those fields are null.
 */
export function toPasskeys(passkeys: readonly WirePasskey[]): Passkey[] {
  return passkeys
    .filter(
      (passkey) =>
        passkey.state !== 'AUTH_FACTOR_STATE_NOT_READY' && passkey.state !== 'AUTH_FACTOR_STATE_REMOVED',
    )
    .map((passkey) => ({
      id: passkey.id,
      name: text(passkey.name),
      aaguid: null,
      publicKey: null,
      userAgent: null,
      backupEligible: null,
      backedUp: null,
      userPresent: null,
      userVerified: null,
    }));
}

function humanDisplayName(human: WireHumanUser): string | null {
  const profile = human.profile;
  const explicit = text(profile?.displayName);
  if (explicit !== null) return explicit;
  const joined = [text(profile?.givenName), text(profile?.familyName)].filter(Boolean).join(' ');
  return joined === '' ? null : joined;
}

function emails(human: WireHumanUser): Email[] {
  const address = text(human.email?.email);
  return address === null ? [] : [{ address, verified: human.email?.isVerified === true, primary: true }];
}

function phoneNumbers(human: WireHumanUser): PhoneNumber[] {
  const number = text(human.phone?.phone);
  return number === null ? [] : [{ number, verified: human.phone?.isVerified === true, primary: true }];
}

function machineDetails(machine: WireMachineUser): ZitadelMachineDetails {
  return {
    name: text(machine.name),
    description: text(machine.description),
    hasSecret: machine.hasSecret === true,
    accessTokenType: machine.accessTokenType === 'ACCESS_TOKEN_TYPE_JWT' ? 'JWT' : 'BEARER',
  };
}

/** Proto3 `optional string` fields arrive as "" when the server set them from an empty column. */
function text(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

/** The server renders an unset language tag as BCP 47 "und" (undetermined). */
function language(value: string | undefined): string | null {
  const tag = text(value);
  return tag === 'und' ? null : tag;
}

/** Same instant, normalised to the model's millisecond UTC form (protojson may send up to nanoseconds or an offset). */
function timestamp(value: string | undefined): Timestamp | null {
  return value === undefined ? null : fromDateTimeString(value);
}
