import { directoryByName, everyDirectory } from '../cost/field-costs.js';
import type { ProviderKind } from '../directory/model.js';
import type { DirectoryProvider } from '../directory/port.js';
import { builder, costs } from '../graphql/builder.js';
import { forbidden } from '../graphql/graphql-errors.js';

export const PROVIDER_ENUM: Readonly<Record<ProviderKind, 'MONOCLOUD' | 'ZITADEL' | 'APP_SERVICES'>> = {
  monocloud: 'MONOCLOUD',
  zitadel: 'ZITADEL',
  'app-services': 'APP_SERVICES',
};

export const DirectoryProviderEnum = builder.enumType('DirectoryProvider', {
  description: 'The kind of user directory.',
  values: {
    MONOCLOUD: { description: 'MonoCloud (Management API).' },
    ZITADEL: { description: 'ZITADEL (User Service v2).' },
    APP_SERVICES: { description: 'MongoDB Atlas App Services (Admin API v3).' },
  } as const,
});

export const DirectoryType = builder.objectRef<DirectoryProvider>('Directory').implement({
  description: 'One configured user directory.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The configured name; part of every global id from it.' }),
    provider: t.field({
      type: DirectoryProviderEnum,
      description: 'Which product the directory runs on.',
      resolve: (directory) => PROVIDER_ENUM[directory.provider],
    }),
  }),
});

builder.queryFields((t) => ({
  // Any authenticated caller may list the directories it was granted (@authenticated for the gateway).
  directories: t.field({
    ...costs(everyDirectory),
    authenticated: true,
    type: [DirectoryType],
    description: 'Every configured directory the caller may read, in configuration order.',
    resolve: (_root, _args, ctx) => ctx.directories.providers,
  }),
  directory: t.field({
    ...costs(directoryByName),
    authenticated: true,
    type: DirectoryType,
    nullable: true,
    description:
      'The directory with this configured name, or null if none has it (or, with a FORBIDDEN error, if the caller may not read it).',
    args: { name: t.arg.string({ description: 'The configured directory name.' }) },
    resolve: (_root, args, ctx) => {
      if (ctx.directories.isWithheld(args.name)) throw forbidden('', args.name);
      return ctx.directories.get(args.name) ?? null;
    },
  }),
}));
