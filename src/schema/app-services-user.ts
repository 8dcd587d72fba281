import type { AppServicesUser } from '../directory/model.js';
import { builder, needs } from '../graphql/builder.js';
import { NodeInterface } from './node.js';
import { UserInterface } from './user.js';

const AppServicesUserTypeEnum = builder.enumType('AppServicesUserType', {
  description: 'App Services user type.',
  values: {
    NORMAL: { description: 'A person, signed up through an auth provider.' },
    SERVER: { description: 'Created through the API key provider for server access.' },
  } as const,
});

export const AppServicesUserType = builder.objectRef<AppServicesUser>('AppServicesUser').implement({
  description: 'An account in a MongoDB Atlas App Services app.',
  interfaces: [NodeInterface, UserInterface],
  fields: (t) => ({
    type: t.field({
      type: AppServicesUserTypeEnum,
      description: 'normal or server.',
      resolve: (user) => (user.type === 'server' ? 'SERVER' : 'NORMAL'),
    }),
    data: t.expose('data', {
      ...needs('users:read:private'),
      nullable: true,
      type: 'JSON',
      description: 'Metadata merged from the user’s auth provider identities (email, name, …).',
    }),
    lastAuthenticationAt: t.expose('lastAuthenticationAt', {
      ...needs('users:read:activity'),
      type: 'DateTime',
      nullable: true,
      description: 'When the user last authenticated.',
    }),
  }),
});
