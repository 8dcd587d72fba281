import { z } from 'zod';
import * as app from '../../src/providers/app-services/wire.js';
const d = (app.WireUserList as any)._zod.def;
console.log(d.type, d.checks?.map((c: any) => c._zod.def));
