// Query execution with graphql-jit instead of graphql-js, plugged into Apollo Server through its
// gateway interface (the supported way to replace execution). Apollo still parses, validates
// (with our limit rules), runs the plugins and formats errors; graphql-jit compiles each distinct
// operation once into a JavaScript function. On the whole catalogue (167,000 fields) graphql-js
// spends most of its time creating argument maps and promise bookkeeping per field; the compiled
// function does not (bench/results has the profile and the ratio).
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { printSchema, type GraphQLError, type GraphQLSchema } from 'graphql';
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

/**
 * Operations estimated to cost at least `cost` (src/graphql/limits.ts; the whole catalogue is
 * ~25,000) execute at most `concurrency` at a time, in arrival order. Execution is JavaScript on
 * one thread, so running ten whole-catalogue answers interleaved is no faster than one after the
 * other, but holds ten of them (~30 MB each) in memory at once; small queries are never held up.
 */
export interface HeavyQueryGate {
  cost: number;
  concurrency: number;
}

export const defaultHeavyQueryGate: HeavyQueryGate = { cost: 10_000, concurrency: 2 };

/** A counting semaphore with a FIFO queue. */
function semaphore(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (free > 0) {
        free -= 1;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
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
  const compiled = new Map<string, CompiledQuery>();
  const heavy = semaphore(gate.concurrency);
  const executor: GatewayExecutor = async (rc) => {
    const key = `${rc.queryHash}\u0000${rc.operationName ?? ''}`;
    let query = compiled.get(key);
    if (query) {
      compiled.delete(key);
      compiled.set(key, query);
    } else {
      const result = compileQuery(schema, rc.document, rc.operationName ?? undefined, JIT_OPTIONS);
      if (!isCompiledQuery(result)) return result;
      query = result;
      compiled.set(key, query);
      if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    }
    const isHeavy = ((rc.context as Context).facts?.cost ?? 0) >= gate.cost;
    if (isHeavy) await heavy.acquire();
    let result;
    try {
      result = await query.query(undefined, rc.context, rc.request.variables ?? {});
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
