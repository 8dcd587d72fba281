import { builder } from '../builder.js';

builder.queryType({
  description: 'Users across every configured directory. Start from `directories`, `user` or `node`.',
});
