import { GraphQLError } from 'graphql';

/** A bad argument: says what was expected and what arrived. */
export function badInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });
}
