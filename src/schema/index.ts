import { builder } from '../builder.js';
import './scalars.js';
import './query.js';
import './node.js';
import './directory.js';
import './contact.js';
import './credentials.js';
import './user.js';
import './monocloud-user.js';
import './zitadel-user.js';
import './app-services-user.js';
import './email-lookup.js';
import './user-connection.js';

/** The schema is the same for every deployment: directories are data, not types. */
export const schema = builder.toSchema();
