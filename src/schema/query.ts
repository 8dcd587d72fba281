import { builder } from '../graphql/builder.js';

builder.queryType({
  description: 'Users across every configured directory. Start from `directories`, `user` or `node`.',
});
