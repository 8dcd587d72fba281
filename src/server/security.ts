import type { Logger } from 'pino';
import { Authenticator } from '../auth/authenticator.js';
import type { Config } from '../config/config.js';
import { auditSink } from '../observability/audit.js';
import type { SecurityOptions } from './app.js';

/**
 * The config's `auth`, `http`, `production` and `audit` as the app takes them. Production turns
 * GraphiQL, introspection and field suggestions off unless the config turns them on.
 */
export function securityFrom(config: Config, production: boolean, log: Logger): SecurityOptions {
  return {
    authenticator: config.auth.mode === 'none' ? null : new Authenticator(config.auth),
    corsOrigins: config.http.corsOrigins,
    allowGet: config.http.allowGet,
    graphiql: config.http.graphiql ?? !production,
    introspection: config.http.introspection ?? !production,
    blockSuggestions: production,
    audit: config.audit.sink === 'off' ? null : auditSink(config.audit, log),
    stepUpMaxAgeSeconds: config.auth.stepUpMaxAgeSeconds,
    stepUpExemptApiKeys: config.auth.stepUpExemptApiKeys,
  };
}
