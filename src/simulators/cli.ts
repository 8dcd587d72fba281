// `npm run simulators`: the three simulators on loopback, for poking at them with curl. Ctrl-C stops them.
import { SimulatorSet } from './index.js';

const set = await SimulatorSet.start({ latencyMs: Number(process.env.SIM_LATENCY_MS ?? 0) });
const [monocloud, zitadel, appServices] = set.directories();
const ids = set.localIds();
console.log('usergraph simulators (demo credentials, loopback only):\n');
console.log(`MonoCloud      ${monocloud?.baseUrl}`);
console.log(
  `  curl -H 'X-API-KEY: ${set.monocloud.apiKey}' ${set.monocloud.url}/api/users/${ids.monocloud[0]}`,
);
console.log(`ZITADEL        ${zitadel?.baseUrl}`);
console.log(
  `  curl -H 'Authorization: Bearer ${set.zitadel.token}' ${set.zitadel.url}/v2/users/${ids.zitadel[0]}`,
);
console.log(
  `App Services   ${appServices?.baseUrl}  group ${set.appServices.groupId}  app ${set.appServices.appId}`,
);
console.log(
  `  curl -X POST -H 'Content-Type: application/json' -d '{"username":"${set.appServices.publicApiKey}","apiKey":"${set.appServices.privateApiKey}"}' ${set.appServices.url}/api/admin/v3.0/auth/providers/mongodb-cloud/login`,
);
process.on('SIGINT', () => void set.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void set.close().then(() => process.exit(0)));
