import type { Email, PhoneNumber } from '../directory/model.js';
import { builder } from '../graphql/builder.js';

export const EmailType = builder.objectRef<Email>('Email').implement({
  description: 'An email address on an account.',
  fields: (t) => ({
    address: t.exposeString('address', { description: 'The address as the directory stores it.' }),
    verified: t.exposeBoolean('verified', {
      description: 'Whether this directory has verified that the account holder controls the address.',
    }),
    primary: t.exposeBoolean('primary', { description: 'Whether this is the account’s primary address.' }),
  }),
});

export const PhoneNumberType = builder.objectRef<PhoneNumber>('PhoneNumber').implement({
  description: 'A phone number on an account.',
  fields: (t) => ({
    number: t.exposeString('number', {
      description: 'The number as the directory stores it (usually E.164).',
    }),
    verified: t.exposeBoolean('verified', { description: 'Whether this directory has verified the number.' }),
    primary: t.exposeBoolean('primary', { description: 'Whether this is the account’s primary number.' }),
  }),
});
