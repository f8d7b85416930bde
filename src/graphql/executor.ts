// Query execution with graphql-jit instead of graphql-js, plugged into Apollo Server through its
// gateway interface (the supported way to replace execution). Apollo still parses, validates
// (with our limit rules), runs the plugins and formats errors; graphql-jit compiles each distinct
// operation once into a JavaScript function. On the whole catalogue (167,000 fields) graphql-js
// spends most of its time creating argument maps and promise bookkeeping per field; the compiled
// function does not (bench/results has the profile and the ratio).
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Context } from './context.ts';

/**
 * graphql-jit's errors inherit from GraphQLError but leave `extensions` undefined when the resolver
 * threw a plain Error (a lost database connection, a bug). Apollo reads `extensions.code` of every
 * GraphQLError and throws a TypeError on such an error, so the response carried that TypeError
 * (with a stack trace outside production) instead of DATABASE_UNAVAILABLE or a clean
 * INTERNAL_SERVER_ERROR. The copy adds empty extensions and keeps everything else (message,
 * locations, path, originalError, stack) through its prototype.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  return Object.create(error, { extensions: { value: {}, enumerable: true } }) as GraphQLError;
}

/**
 * String, Boolean, Int, Float and enum values are put into the answer as the resolvers return them,
 * without graphql's serialize call. That call costs little, but graphql-jit passes it two array
 * literals (source locations and path) for every field of every object: on the whole catalogue
 * ~25 MB of garbage per request and a fifth of its time. Safe because every such value comes from
 * typed code (the generated resolver types, the models' getters) in the right type already; a test
 * compares the answers with graphql-js's over the whole corpus (snapshot-equivalence). Custom
 * scalars (Date) keep their serializer.
 */
const JIT_OPTIONS = { disableLeafSerialization: true } as const;

/** Compiled operations kept (least recently used out first). */
const MAX_COMPILED = 500;

/** graphql-js's limit on the variable errors reported at once (execute passes the same). */
const MAX_VARIABLE_ERRORS = 50;

/**
 * The operation graphql-js would execute, or graphql-js's error for a request that names none it
 * can (the same words as its buildExecutionContext). Apollo resolved it the same way before calling
 * the gateway: when it found none it turns the error into OPERATION_RESOLUTION_FAILURE (HTTP 400),
 * as with the graphql-js executor. graphql-jit resolves it differently: asked for an unknown name
 * in a document of one operation it ran that operation (Apollo then failed with a 500), and with
 * several it said "Must provide operation name" although one was given.
 */
function resolveOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | GraphQLError {
  const operation = getOperationAST(document, operationName);
  if (operation) return operation;
  if (operationName != null) return new GraphQLError(`Unknown operation named "${operationName}".`);
  return document.definitions.some((d) => d.kind === 'OperationDefinition')
    ? new GraphQLError('Must provide operation name if query contains multiple operations.')
    : new GraphQLError('Must provide an operation.');
}

/**
 * An operation of a type the schema has no root for (subscription, mutation: this API has only
 * queries). graphql-js answers with the same message, data null, but without a code, which Apollo
 * labels INTERNAL_SERVER_ERROR and logs as a server fault; it is the client's mistake.
 */
function unsupportedOperation(operation: OperationDefinitionNode): ExecutionResult {
  return {
    data: null,
    errors: [
      new GraphQLError(`Schema is not configured to execute ${operation.operation} operation.`, {
        nodes: operation,
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ],
  };
}

interface Compiled {
  query: CompiledQuery;
  operation: OperationDefinitionNode;
}

/**
 * Operations estimated to cost at least `cost` (src/graphql/limits.ts; the whole catalogue is
 * ~25,000) execute at most `concurrency` at a time, in arrival order. Execution is JavaScript on
 * one thread, so running ten whole-catalogue answers interleaved is no faster than one after the
 * other, but holds ten of them (~30 MB each) in memory at once; small queries are never held up.
 */
export interface HeavyQueryGate {
  cost: number;
  concurrency: number;
  /** How many may wait for their turn; more are refused at once (SERVER_BUSY). */
  maxQueue?: number;
}

export const defaultHeavyQueryGate: HeavyQueryGate = { cost: 10_000, concurrency: 2, maxQueue: 64 };

/** A counting semaphore with a bounded FIFO queue. */
function semaphore(size: number, maxQueue: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    /** False when the queue is full: the caller is refused. */
    async acquire(): Promise<boolean> {
      if (free > 0) {
        free -= 1;
        return true;
      }
      if (waiting.length >= maxQueue) return false;
      await new Promise<void>((resolve) => waiting.push(resolve));
      return true;
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}

export function jitGateway(
  schema: GraphQLSchema,
  gate: HeavyQueryGate = defaultHeavyQueryGate,
): GatewayInterface & { compiledCount(): number } {
  const compiled = new Map<string, Compiled>();
  const maxQueue = gate.maxQueue ?? defaultHeavyQueryGate.maxQueue!;
  const heavy = semaphore(gate.concurrency, maxQueue);
  const executor: GatewayExecutor = async (rc) => {
    const operationName = rc.request.operationName ?? null;
    const key = `${rc.queryHash}\u0000${operationName ?? ''}`;
    let entry = compiled.get(key);
    if (entry) {
      compiled.delete(key);
      compiled.set(key, entry);
    } else {
      // Resolved before compiling, as graphql-js does: graphql-jit's own resolution differs.
      const operation = resolveOperation(rc.document, operationName);
      if (operation instanceof GraphQLError) return { errors: [operation] };
      if (!schema.getRootType(operation.operation)) return unsupportedOperation(operation);
      const result = compileQuery(schema, rc.document, operation.name?.value, JIT_OPTIONS);
      if (!isCompiledQuery(result)) return { ...result, errors: result.errors?.map(withExtensions) };
      entry = { query: result, operation };
      compiled.set(key, entry);
      if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    }
    // The variables are coerced by graphql-js first, and its errors are the answer: graphql-jit's
    // own lose the scalar's reason ("Expected type Date."), name a field inside an input object as
    // if it were the variable ("$from"), and are not recognised by Apollo as the client's (it
    // knows graphql-js's, by their wording and the variable definition they point at), so they
    // came out as INTERNAL_SERVER_ERROR; and graphql-jit accepts some values graphql-js refuses
    // (a list for an input object). A few microseconds for the handful of variables a query has;
    // an operation without variables skips it.
    const variables = rc.request.variables ?? {};
    const definitions = entry.operation.variableDefinitions ?? [];
    if (definitions.length > 0) {
      const coerced = getVariableValues(schema, definitions, variables, { maxErrors: MAX_VARIABLE_ERRORS });
      if (coerced.errors) return { errors: coerced.errors };
    }
    const isHeavy = ((rc.context as Context).facts?.cost ?? 0) >= gate.cost;
    if (isHeavy && !(await heavy.acquire())) {
      return {
        errors: [
          new GraphQLError(
            `The server is busy with large queries: ${maxQueue} are already waiting (the limit); try again shortly`,
            { extensions: { code: 'SERVER_BUSY', limit: maxQueue, value: maxQueue + 1, http: { status: 503 } } },
          ),
        ],
      };
    }
    let result: ExecutionResult;
    try {
      result = await entry.query.query(undefined, rc.context, variables);
      // No data at all: graphql-jit refused variables that graphql-js accepted. They should agree;
      // where they do not, the request gets graphql-js's answer, not an error it does not deserve.
      if (!('data' in result)) {
        result = await execute({
          schema,
          document: rc.document,
          operationName: entry.operation.name?.value,
          contextValue: rc.context,
          variableValues: variables,
        });
      }
    } finally {
      if (isHeavy) heavy.release();
    }
    return result.errors ? { ...result, errors: result.errors.map(withExtensions) } : result;
  };
  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    async stop() {
      compiled.clear();
    },
    compiledCount: () => compiled.size,
  };
}
