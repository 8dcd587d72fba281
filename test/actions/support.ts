import { encodeUserId } from '../../src/directory/global-id.js';
import type { SimulatorSet } from '../../src/simulators/index.js';

/** The write routes of each simulator (what the request log names them), for counting writes. */
export const WRITE_ROUTES: Readonly<Record<'monocloud' | 'zitadel' | 'appServices', readonly string[]>> = {
  monocloud: [
    'disableUser',
    'enableUser',
    'revokeUserSession',
    'removePasskey',
    'disconnectExternalAuthenticator',
    'deleteUser',
  ],
  zitadel: [
    'deactivateUser',
    'reactivateUser',
    'lockUser',
    'unlockUser',
    'removePasskey',
    'removeIdpLink',
    'deleteUser',
    'deleteSession',
  ],
  appServices: ['disableUser', 'enableUser', 'logoutUser', 'deleteUser'],
};

/** Every write the simulators received since their last reset, as `METHOD path`, per directory name. */
export function writesMade(sims: SimulatorSet): Record<string, string[]> {
  const of = (
    sim: SimulatorSet['monocloud'] | SimulatorSet['zitadel'] | SimulatorSet['appServices'],
    routes: readonly string[],
  ) =>
    sim.log.filter((entry) => routes.includes(entry.route)).map((entry) => `${entry.method} ${entry.path}`);
  return {
    acme: of(sims.monocloud, WRITE_ROUTES.monocloud),
    corp: of(sims.zitadel, WRITE_ROUTES.zitadel),
    mobile: of(sims.appServices, WRITE_ROUTES.appServices),
  };
}

export function writeCount(sims: SimulatorSet): number {
  return Object.values(writesMade(sims)).reduce((sum, calls) => sum + calls.length, 0);
}

export interface Person {
  readonly email: string;
  readonly acme: string;
  readonly corp: string;
  readonly mobile: string;
  /** Global ids, in the order acme, corp, mobile. */
  readonly ids: readonly string[];
}

/**
 * People holding one address verified in all three directories, each account ACTIVE: the ones an
 * action on a person reaches everywhere. Each test takes its own (writes change the simulators).
 */
export function peopleEverywhere(sims: SimulatorSet): Person[] {
  const byEmail = new Map<string, { acme?: string; corp?: string; mobile?: string; count: number }>();
  const add = (email: string, directory: 'acme' | 'corp' | 'mobile', id: string) => {
    const key = email.toLowerCase();
    const entry = byEmail.get(key) ?? { count: 0 };
    if (entry[directory] === undefined) entry[directory] = id;
    entry.count += 1;
    byEmail.set(key, entry);
  };
  for (const user of sims.monocloud.users) {
    if (user.disabled === true || (user.block_until as number | null | undefined)) continue;
    for (const email of user.emails)
      if ((email as { verified?: boolean }).verified === true) add(email.email, 'acme', user.user_id);
  }
  for (const record of sims.zitadel.records) {
    const email = record.user.human?.email;
    if (record.user.state === 'USER_STATE_ACTIVE' && email?.email && email.isVerified === true) {
      add(email.email, 'corp', record.user.userId);
    }
  }
  for (const user of sims.appServices.records) {
    const email = (user.data as { email?: unknown } | undefined)?.email;
    const verified = (user.identities ?? []).some((identity) =>
      ['local-userpass', 'oauth2-google', 'oauth2-apple'].includes(identity.provider_type),
    );
    if (!user.disabled && typeof email === 'string' && verified) add(email, 'mobile', user._id);
  }
  const people: Person[] = [];
  for (const [email, entry] of byEmail) {
    // Exactly one account per directory, so the person is these three and no one else.
    if (entry.acme && entry.corp && entry.mobile && entry.count === 3) {
      people.push({
        email,
        acme: entry.acme,
        corp: entry.corp,
        mobile: entry.mobile,
        ids: [
          encodeUserId('acme', entry.acme),
          encodeUserId('corp', entry.corp),
          encodeUserId('mobile', entry.mobile),
        ],
      });
    }
  }
  return people;
}

/** The account states the simulators hold now, as the unified statuses. */
export function statesOf(
  sims: SimulatorSet,
  person: Person,
): Record<'acme' | 'corp' | 'mobile', string | null> {
  const mono = sims.monocloud.current(person.acme);
  const zitadel = sims.zitadel.current(person.corp);
  const app = sims.appServices.current(person.mobile);
  return {
    acme: mono === undefined ? null : mono.disabled === true ? 'DISABLED' : 'ACTIVE',
    corp: zitadel === undefined ? null : (zitadel.user.state ?? '').replace('USER_STATE_', ''),
    mobile: app === undefined ? null : app.disabled ? 'DISABLED' : 'ACTIVE',
  };
}

export const SUSPEND = `mutation Suspend($input: SuspendPersonInput!) {
  suspendPerson(input: $input) {
    action operationId dryRun replayed complete
    accounts { userId directory provider outcome code message calls statusBefore statusAfter verified }
    lookupFailures { directory code message }
    userErrors { code message field }
  }
}`;

export const RESUME = SUSPEND.replace(
  'Suspend($input: SuspendPersonInput!)',
  'Resume($input: ResumePersonInput!)',
).replace('suspendPerson(', 'resumePerson(');

export const SIGN_OUT = SUSPEND.replace(
  'Suspend($input: SuspendPersonInput!)',
  'SignOut($input: SignOutEverywhereInput!)',
).replace('suspendPerson(', 'signOutEverywhere(');

export interface AccountResult {
  readonly userId: string;
  readonly directory: string;
  readonly outcome: string;
  readonly code: string | null;
  readonly calls: string[];
  readonly statusBefore: string | null;
  readonly statusAfter: string | null;
  readonly verified: boolean | null;
}

export interface Payload {
  readonly operationId: string;
  readonly dryRun: boolean;
  readonly replayed: boolean;
  readonly complete: boolean;
  readonly accounts: AccountResult[];
  readonly lookupFailures: { directory: string; code: string }[];
  readonly userErrors: { code: string; field: string[] }[];
}
