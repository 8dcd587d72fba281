import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';

// Federation forbids @requiresScopes (and @authenticated) on interface fields (AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE), yet
// usergraph's personal-data fields live on the `User` interface. Pothos hands every implementing object
// its own copy of each interface field: this plugin, listed after the federation plugin (Pothos runs
// field hooks last-listed first), leaves the scope on those copies and takes it off the interface's own
// field. Built with `authDirectives: false` it takes every @requiresScopes and @authenticated off (for @apollo/gateway,
// which refuses supergraphs with security features). Scope auth is unaffected (it reads `authScopes`).

const NAME = 'scopesOnObjects';

class ScopesOnObjectsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const options = fieldConfig.pothosOptions as { requiresScopes?: unknown; authenticated?: unknown };
    if (options.requiresScopes === undefined && options.authenticated === undefined) return fieldConfig;
    const keep =
      this.options.authDirectives !== false &&
      this.buildCache.getTypeConfig(fieldConfig.parentType).kind !== 'Interface';
    if (keep) return fieldConfig;
    const { requiresScopes: _scopes, authenticated: _authenticated, ...rest } = options;
    return { ...fieldConfig, pothosOptions: rest } as PothosOutputFieldConfig<Types>;
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      scopesOnObjects: ScopesOnObjectsPlugin<Types>;
    }
    export interface BuildSchemaOptions<Types extends SchemaTypes> {
      /** Print @requiresScopes in the subgraph SDL (default true). */
      authDirectives?: boolean;
    }
  }
}

SchemaBuilder.registerPlugin(NAME, ScopesOnObjectsPlugin);

export default NAME;
