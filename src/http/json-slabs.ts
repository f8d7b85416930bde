// A large GraphQL answer written as UTF-8 JSON into reused memory, a piece at a time.
//
// Why: JSON.stringify of the whole catalogue makes one 3.2 MB string (6.4 MB when a single
// character is outside Latin-1: one en dash in the corpus does it), which V8 keeps as a tree of
// pieces until it is encoded; flattening and encoding it take fresh large-object pages every time,
// and on these virtual machines touching a fresh page costs ~10 µs: ~20 ms per answer, more than
// the stringify itself (bench/results, 2026-11-27 profile: Buffer.write under utf8 was 27 % of
// the uncached W2 run). Here the big lists are split: each element is stringified by itself (a
// few kilobytes, short-lived, young generation) and encoded straight into slabs that are reused
// once the socket has taken them. The bytes are exactly JSON.stringify's (a test compares them on
// the whole corpus).

/** Bytes of one slab. */
export const SLAB_SIZE = 256 * 1024;

/** Lists at least this long are written element by element; shorter ones in one stringify. */
const SPLIT_LENGTH = 16;

/** Objects nested deeper than this (outside split lists) are stringified whole. */
const MAX_DESCENT = 8;

/**
 * Slabs kept for reuse, at most (8 MB): two whole-catalogue answers (13 slabs each), as many as run
 * at once (HEAVY_QUERY_CONCURRENCY). More in flight at once (slow readers) are allocated and left
 * to the garbage collector.
 */
const MAX_POOLED = 32;

/** Reusable slabs. A slab goes back only when nothing refers to it any more (see release). */
export class SlabPool {
  readonly #free: Buffer[] = [];

  constructor(private readonly maxPooled = MAX_POOLED) {}

  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(SLAB_SIZE);
  }

  give(slab: Buffer): void {
    if (slab.length === SLAB_SIZE && this.#free.length < this.maxPooled) this.#free.push(slab);
  }

  get pooled(): number {
    return this.#free.length;
  }
}

/** The encoded answer: views of slabs, and buffers of their own for a short answer or a piece larger than a slab. */
export interface SerializedJson {
  chunks: Buffer[];
  length: number;
  /** Some chunks are slabs of the pool (a short answer is one buffer of its own). */
  pooled: boolean;
  /**
   * Hands the slabs back to the pool. Call it only when the chunks will never be read again: after
   * the response's 'finish' (the socket has taken every byte); never after an abort, when a write
   * may still be pending.
   */
  release(): void;
  /** One buffer of its own with all the bytes (a short answer's is its only chunk; otherwise a copy). */
  toBuffer(): Buffer;
}

/**
 * Text is gathered into a string of up to this many UTF-16 units (young generation, cheap to
 * flatten) before it is encoded into a slab: one encoding call per ~32 KB instead of one per piece.
 * An answer shorter than this never takes a slab.
 */
const GATHER_UNITS = 32 * 1024;

/** The answer grew past the size it may have (serializeJson's maxBytes). */
export class AnswerTooLargeError extends Error {
  constructor(
    readonly limit: number,
    /** Bytes written when it was noticed: the answer has at least that many. */
    readonly atLeast: number,
  ) {
    super(`the answer is larger than ${limit} bytes`);
  }
}

class SlabWriter {
  readonly chunks: Buffer[] = [];
  readonly #slabs: Buffer[] = [];
  #slab: Buffer | null = null;
  #start = 0;
  #offset = 0;
  #gathered = '';
  length = 0;

  constructor(
    private readonly pool: SlabPool,
    private readonly maxBytes: number,
  ) {}

  write(text: string): void {
    this.#gathered += text;
    // A UTF-16 unit is at least one byte of UTF-8: the gathered text's length is a lower bound, enough
    // to stop early (serializeJson checks the exact length at the end).
    if (this.length + this.#gathered.length > this.maxBytes) {
      throw new AnswerTooLargeError(this.maxBytes, this.length + this.#gathered.length);
    }
    if (this.#gathered.length >= GATHER_UNITS) this.#encode();
  }

  finish(): SerializedJson {
    const { pool } = this;
    if (this.chunks.length === 0 && !this.#slab) {
      // Short: one buffer of its own, no slab.
      const own = Buffer.from(this.#gathered);
      return { chunks: [own], length: own.length, pooled: false, release() {}, toBuffer: () => own };
    }
    this.#encode(true);
    this.#close();
    const { chunks, length } = this;
    const slabs = this.#slabs;
    let released = false;
    return {
      chunks,
      length,
      pooled: slabs.length > 0,
      release() {
        if (released) return;
        released = true;
        for (const slab of slabs) pool.give(slab);
      },
      toBuffer: () => (chunks.length === 1 ? Buffer.from(chunks[0]!) : Buffer.concat(chunks, length)),
    };
  }

  /** Encodes what was gathered; `last`: nothing follows (a remainder that needs a new slab gets a buffer of its own). */
  #encode(last = false): void {
    const text = this.#gathered;
    if (text === '') return;
    this.#gathered = '';
    let room = this.#slab ? SLAB_SIZE - this.#offset : 0;
    // At most three bytes per UTF-16 unit: when the worst case fits, no need to measure.
    if (text.length * 3 > room) {
      const bytes = Buffer.byteLength(text);
      if (bytes > room) {
        this.#close();
        if (last || bytes > SLAB_SIZE) {
          const own = Buffer.from(text);
          this.chunks.push(own);
          this.length += own.length;
          return;
        }
        this.#slab = this.pool.take();
        this.#slabs.push(this.#slab);
        this.#start = this.#offset = 0;
        room = SLAB_SIZE;
      }
    }
    const written = this.#slab!.write(text, this.#offset);
    this.#offset += written;
    this.length += written;
  }

  #close(): void {
    if (this.#slab && this.#offset > this.#start) this.chunks.push(this.#slab.subarray(this.#start, this.#offset));
    this.#start = this.#offset;
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const hasToJSON = (value: unknown): value is { toJSON(key: string): unknown } =>
  typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';

/**
 * JSON.stringify's text for a value whose toJSON has already been called (JSON.stringify calls it
 * once per value, with the member's key or the element's index): a value that has a toJSON of its
 * own is written as the object it is, not through its toJSON again.
 */
function stringifyResolved(value: unknown): string | undefined {
  if (!hasToJSON(value)) return JSON.stringify(value);
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    return key === '' && this[''] === value ? value : v;
  });
}

/** Writes `value`, whose toJSON (if any) has been called already. */
function emit(value: unknown, out: SlabWriter, depth: number): void {
  if (typeof value === 'object' && value !== null && depth < MAX_DESCENT && !hasToJSON(value)) {
    if (Array.isArray(value)) {
      if (value.length >= SPLIT_LENGTH) {
        out.write('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.write(',');
          const element: unknown = value[i];
          const text = hasToJSON(element) ? stringifyResolved(element.toJSON(String(i))) : JSON.stringify(element);
          // As JSON.stringify: undefined, a function or a symbol in a list is null.
          out.write(text ?? 'null');
        }
        out.write(']');
        return;
      }
    } else if (isPlainObject(value)) {
      out.write('{');
      let first = true;
      for (const key of Object.keys(value)) {
        let member = value[key];
        if (hasToJSON(member)) member = member.toJSON(key);
        // As JSON.stringify: members whose value has no JSON form are left out.
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
        out.write(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
        first = false;
        emit(member, out, depth + 1);
      }
      out.write('}');
      return;
    }
  }
  out.write(stringifyResolved(value) ?? 'null');
}

/**
 * JSON.stringify's bytes of value, written into slabs of the pool. Throws AnswerTooLargeError once
 * more than maxBytes are written (each element of a long list is checked as it is written: the
 * memory used is bounded by maxBytes and the largest element).
 */
export function serializeJson(value: unknown, pool: SlabPool, maxBytes = Infinity): SerializedJson {
  const out = new SlabWriter(pool, maxBytes);
  try {
    emit(hasToJSON(value) ? value.toJSON('') : value, out, 0);
  } catch (err) {
    out.finish().release();
    throw err;
  }
  const answer = out.finish();
  // The writer's check counts UTF-16 units, fewer than the bytes outside ASCII: this one is exact.
  if (answer.length > maxBytes) {
    answer.release();
    throw new AnswerTooLargeError(maxBytes, answer.length);
  }
  return answer;
}

/** What sendSerialized needs of a response (node's http.ServerResponse). */
export interface AnswerSink {
  setHeader(name: string, value: number): unknown;
  once(event: 'finish', listener: () => void): unknown;
  write(chunk: Buffer): unknown;
  end(): unknown;
}

/**
 * Sends the bytes as the body and hands their slabs back to the pool when the response has
 * finished, that is when the socket has taken every byte (node emits 'finish' after the last
 * write's callback). A response that never finishes (the client went away) keeps them: a write may
 * still refer to them, so they are left to the garbage collector.
 */
export function sendSerialized(res: AnswerSink, answer: SerializedJson): void {
  res.setHeader('content-length', answer.length);
  res.once('finish', answer.release);
  for (const chunk of answer.chunks) res.write(chunk);
  res.end();
}
