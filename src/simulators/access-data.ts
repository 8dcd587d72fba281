// Provider-neutral groups, project roles and sessions for the simulators, derived from each seed
// person's id alone (so the user data generated before issue 16 is unchanged): the same person is in
// the same groups in every directory that has groups, which is what a support agent comparing two
// directories expects to see.

export interface SeedGroup {
  readonly key: string;
  readonly name: string;
  readonly description: string;
}

export const SEED_GROUPS: readonly SeedGroup[] = [
  { key: 'engineering', name: 'Engineering', description: 'Builds and runs the product.' },
  { key: 'support', name: 'Support', description: 'Answers customers.' },
  { key: 'sales', name: 'Sales', description: 'Sells the product.' },
  { key: 'finance', name: 'Finance', description: 'Invoices, payroll and expenses.' },
  { key: 'admins', name: 'Administrators', description: 'May administer every application.' },
  { key: 'on-call', name: 'On call', description: 'Paged for production incidents.' },
];

export interface SeedProject {
  readonly key: string;
  readonly name: string;
  readonly roles: readonly { readonly key: string; readonly name: string }[];
}

export const SEED_PROJECTS: readonly SeedProject[] = [
  {
    key: 'console',
    name: 'Admin Console',
    roles: [
      { key: 'console.admin', name: 'Console administrator' },
      { key: 'console.viewer', name: 'Console viewer' },
    ],
  },
  {
    key: 'billing',
    name: 'Billing',
    roles: [
      { key: 'billing.editor', name: 'Billing editor' },
      { key: 'billing.viewer', name: 'Billing viewer' },
    ],
  },
];

/** A small integer hash, so memberships look scattered but never change between runs. */
function mix(value: number): number {
  let x = (value + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The group keys a person belongs to: none to three. */
export function groupKeysOf(personId: number): string[] {
  const roll = mix(personId);
  const count = roll % 4;
  const keys: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const group = SEED_GROUPS[(mix(personId * 7 + i) >>> 3) % SEED_GROUPS.length] as SeedGroup;
    if (!keys.includes(group.key)) keys.push(group.key);
  }
  return keys;
}

/** The project roles a person holds: none to two, as [project key, role key]. */
export function rolesOf(personId: number): [string, string][] {
  const roll = mix(personId + 1000);
  const out: [string, string][] = [];
  SEED_PROJECTS.forEach((project, index) => {
    if (((roll >>> (index * 4)) & 3) === 0) return;
    const role = project.roles[(roll >>> (index * 4 + 2)) & 1] as { key: string };
    out.push([project.key, role.key]);
  });
  return roll % 5 === 0 ? [] : out;
}

/** How many active sessions a person has (none to two), and a stable seed for their details. */
export function sessionCountOf(personId: number): number {
  return mix(personId + 2000) % 3;
}

export const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
] as const;

/** A documentation-range IPv4 address (RFC 5737) for a person's n-th session. */
export function sessionIp(personId: number, n: number): string {
  return `198.51.100.${(mix(personId * 31 + n) % 250) + 1}`;
}

export function userAgentOf(personId: number, n: number): string {
  return USER_AGENTS[mix(personId + n) % USER_AGENTS.length] as string;
}
