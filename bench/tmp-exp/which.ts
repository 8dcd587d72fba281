import { z } from 'zod';
import { compiledCheck } from '../../src/http/compiled-schema.js';
import * as mono from '../../src/providers/monocloud/wire.js';
import * as app from '../../src/providers/app-services/wire.js';
import * as zit from '../../src/providers/zitadel/wire.js';
for (const mod of [mono, app, zit]) for (const [k, v] of Object.entries(mod)) if (v instanceof z.ZodType) console.log(k, compiledCheck(v) ? 'ajv' : 'zod');
