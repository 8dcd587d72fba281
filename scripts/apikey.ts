// Prints a new API key and the config entry that lists it by hash:
//   npm run apikey -- --name support-dashboard --scopes users:read,users:read:contact [--directories acme,corp]
// The key is shown once, here; the config holds only its SHA-256.
import { parseArgs } from 'node:util';
import { generateApiKey } from '../src/auth/api-keys.js';
import { isScope, SCOPES } from '../src/auth/scopes.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    scopes: { type: 'string' },
    directories: { type: 'string' },
  },
});
const problems: string[] = [];
const name = values.name ?? '';
if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(name)) problems.push('--name: 1–64 of letters, digits, _ . : -');
const scopes = (values.scopes ?? '').split(',').filter(Boolean);
if (scopes.length === 0) problems.push(`--scopes: a comma-separated list of: ${SCOPES.join(', ')}`);
for (const scope of scopes) if (!isScope(scope)) problems.push(`--scopes: "${scope}" is not a scope`);
const directories = values.directories?.split(',').filter(Boolean);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(2);
}
const { key, sha256 } = generateApiKey();
console.log(`API key for ${name} (shown once; send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"):

  ${key}

Add under auth.apiKeys in usergraph.yaml:

    - name: ${name}
      sha256: ${sha256}
      scopes: [${scopes.join(', ')}]${directories ? `\n      directories: [${directories.join(', ')}]` : ''}
`);
