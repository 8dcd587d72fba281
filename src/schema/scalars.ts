import { GraphQLError, GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { formatTimestamp, hasRfc3339Form } from '../directory/timestamp.js';
import { builder } from '../graphql/builder.js';

/**
 * graphql-scalars' DateTime, writing the model's instants (epoch milliseconds) itself: formatted here,
 * only for the fields a response selects. Its own serialize made a Date of each (written out again by
 * JSON.stringify); strings and Dates still go through it. Its name, description and inputs are its own.
 */
const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize(value) {
    if (typeof value !== 'number') return DateTimeResolver.serialize(value);
    if (!hasRfc3339Form(value)) {
      throw new GraphQLError('DateTime cannot represent an instant outside the years 0000–9999');
    }
    return formatTimestamp(value);
  },
});

builder.addScalarType('DateTime', DateTime, {});
builder.addScalarType('JSON', JSONResolver, {});
