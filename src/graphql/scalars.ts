// Date ("YYYY-MM-DD", a real calendar date) and DateTime (ISO 8601 instant, output only in practice).
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { isCalendarDate } from '../domain/status.ts';

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw new GraphQLError(`Date must be a calendar date "YYYY-MM-DD", got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'A calendar date, "YYYY-MM-DD" (UTC).',
  // Defence in depth (the database's *_in_range constraints already refuse such values): a stored
  // 'infinity', '4713-01-01 BC' or '50000-01-01' is an error for that field, never sent as a Date.
  // Every Date the API serves comes from PostgreSQL's DATE type (or from dates computed from
  // one), whose text form is a valid calendar date exactly when it is "YYYY-MM-DD": anything else
  // it can hold reads '4713-01-01 BC', '50000-01-01' or 'infinity'. So the shape is checked, not
  // the calendar: a full check cost a fifth of a small query's time (tens of dates per answer).
  serialize(value) {
    if (
      typeof value !== 'string' ||
      value.length !== 10 ||
      value.charCodeAt(4) !== 45 ||
      value.charCodeAt(7) !== 45 ||
      !(value.startsWith('0') ? isCalendarDate(value) : true)
    ) {
      throw new GraphQLError(`Date cannot represent ${JSON.stringify(value)}: not a calendar date "YYYY-MM-DD"`);
    }
    return value;
  },
  parseValue: parseDate,
  parseLiteral(ast: ValueNode) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError(`Date must be a string "YYYY-MM-DD", got a ${ast.kind} literal`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return parseDate(ast.value);
  },
});

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant, ISO 8601 in UTC.',
  serialize: (value) => value,
  parseValue(value) {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new GraphQLError(`DateTime must be an ISO 8601 string, got ${JSON.stringify(value)}`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return value;
  },
});
