// The slab serializer must write exactly JSON.stringify's bytes (UTF-8), whatever the shape, and
// hand its slabs back to the pool only when told to.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  AnswerTooLargeError,
  sendSerialized,
  serializeJson,
  SLAB_SIZE,
  SlabPool,
} from '../../../src/http/json-slabs.ts';

const expectSameAsStringify = (value: unknown, pool = new SlabPool()) => {
  const out = serializeJson(value, pool);
  const expected = Buffer.from(JSON.stringify(value) ?? 'null');
  expect(out.length).toBe(expected.length);
  expect(Buffer.concat(out.chunks).equals(expected)).toBe(true);
  expect(out.toBuffer().equals(expected)).toBe(true);
  return out;
};

const list = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));

describe('serializeJson', () => {
  it('writes JSON.stringify bytes for scalars, empty and nested values', () => {
    for (const v of [null, true, false, 0, -1.5e-7, 1e21, NaN, Infinity, '', 'x', {}, [], [[]], { a: {} }])
      expectSameAsStringify(v);
    expectSameAsStringify({ data: { products: { nodes: list(40, (i) => ({ name: `p${i}`, tags: ['a', 'b'] })) } } });
  });

  it('leaves out what JSON.stringify leaves out, and writes null where it does', () => {
    expectSameAsStringify({ a: undefined, b: () => 1, c: Symbol('s'), d: 1, e: null });
    // A list long enough to be split and a short one, both with holes and values without a JSON form.
    const odd = [undefined, () => 1, Symbol('s'), NaN, -0, null];
    expectSameAsStringify({ long: list(40, (i) => odd[i % odd.length]), short: odd });
    expectSameAsStringify(list(20, (i) => (i % 2 ? undefined : i)));
  });

  it('keeps key order (integer-like keys first, as the engine orders them) and escapes keys', () => {
    expectSameAsStringify({ b: 1, 2: 'two', a: 2, 1: 'one', 'quo"te\n': 3, '': 4 });
  });

  it('uses toJSON and handles objects without a prototype and class instances as JSON.stringify does', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { z: 1, nested: { y: [1, 2] } });
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expectSameAsStringify({
      when: new Date(Date.UTC(2026, 10, 27)),
      custom: { toJSON: () => ({ replaced: true }) },
      bare,
      point: new Point(1, 2),
      many: list(30, (i) => new Point(i, -i)),
    });
  });

  it('calls toJSON once, with the key or index, as JSON.stringify does', () => {
    const keyed = (tag: string) => ({ toJSON: (key: string) => `${tag}@${key}` });
    const twice = { toJSON: () => ({ inner: true, toJSON: () => 'called again' }) };
    const selfish = Object.assign(
      list(20, (i) => i),
      { toJSON: () => 'the list as a whole' },
    );
    expectSameAsStringify({
      a: 1,
      gone: { toJSON: () => undefined },
      fn: { toJSON: () => () => 1 },
      named: keyed('m'),
      twice,
      selfish,
      nodes: list(30, (i) => (i % 3 === 0 ? keyed('e') : i % 3 === 1 ? { toJSON: () => undefined } : twice)),
      nested: { deeper: { named: keyed('d') } },
    });
    expectSameAsStringify(keyed('top'));
    expectSameAsStringify({ toJSON: () => ({ nodes: list(20, (i) => keyed(`n${i}`)) }) });
  });

  it('encodes text outside ASCII: Latin-1, BMP, astral characters and lone surrogates', () => {
    const texts = ['é', '–', '日本語', '😀 emoji', '\ud800 lone', 'tail \udfff', '\u2028\u2029', '\u0000\u001f"\\'];
    expectSameAsStringify({ nodes: list(64, (i) => ({ label: texts[i % texts.length]!.repeat(1 + (i % 5)) })) });
  });

  it('fills slab after slab, and gives a piece larger than a slab a buffer of its own', () => {
    // ~1.3 MB in pieces of varying size, multi-byte characters among them: many slab boundaries.
    const nodes = list(3000, (i) => ({ i, text: `${'x'.repeat(i % 700)}–${'é'.repeat(i % 13)}` }));
    const out = expectSameAsStringify({ data: { nodes } });
    expect(out.chunks.length).toBeGreaterThan(4);
    for (const c of out.chunks) expect(c.length).toBeLessThanOrEqual(SLAB_SIZE);
    const huge = 'é'.repeat(SLAB_SIZE); // 512 KB in UTF-8
    const big = expectSameAsStringify({ nodes: list(20, (i) => (i === 7 ? huge : `n${i}`)) });
    expect(big.chunks.some((c) => c.length > SLAB_SIZE)).toBe(true);
  });

  it('throws as JSON.stringify does on a BigInt or a cycle, and gives its slabs back', () => {
    const pool = new SlabPool();
    // ~100 KB written before the bad value: slabs were taken.
    const filler = list(400, (i) => `${i}`.padEnd(250, '.'));
    const cyclic: Record<string, unknown> = { filler };
    cyclic.self = cyclic;
    expect(() => serializeJson(cyclic, pool)).toThrow(TypeError);
    // Every slab it took (the filler, once per level it descended) is back.
    const taken = pool.pooled;
    expect(taken).toBeGreaterThan(0);
    expect(() => serializeJson({ filler, nodes: list(20, (i) => (i === 19 ? 1n : i)) }, pool)).toThrow(TypeError);
    expect(pool.pooled).toBe(taken);
  });

  it('stops once past maxBytes (AnswerTooLargeError, with at least how many) and gives its slabs back', () => {
    const value = { data: { nodes: list(2_000, (i) => ({ name: `cycle ${i}`, text: 'é'.repeat(200) })) } };
    const bytes = Buffer.byteLength(JSON.stringify(value));
    expect(bytes).toBeGreaterThan(3 * SLAB_SIZE);
    const pool = new SlabPool();
    // Exactly the limit: written whole.
    const whole = serializeJson(value, pool, bytes);
    expect(whole.toBuffer().equals(Buffer.from(JSON.stringify(value)))).toBe(true);
    whole.release();
    const pooled = pool.pooled;
    // One byte less: refused, with a lower bound above the limit, and every slab back in the pool.
    let error: unknown;
    try {
      serializeJson(value, pool, bytes - 1);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AnswerTooLargeError);
    expect((error as AnswerTooLargeError).limit).toBe(bytes - 1);
    expect((error as AnswerTooLargeError).atLeast).toBeGreaterThan(bytes - 1);
    expect((error as AnswerTooLargeError).atLeast).toBeLessThanOrEqual(bytes);
    expect(pool.pooled).toBe(pooled);
    // Far below: it stops early, near the limit, not at the end.
    expect(() => serializeJson(value, pool, 10_000)).toThrow(AnswerTooLargeError);
    expect(pool.pooled).toBe(pooled);
  });

  it('a few bytes after a piece larger than a slab get a buffer of their own, not a slab', () => {
    const pool = new SlabPool();
    const out = expectSameAsStringify({ nodes: ['x'.repeat(SLAB_SIZE + 10), 'tail'] }, pool);
    expect(out.pooled).toBe(false);
    expect(out.chunks.map((c) => c.length > SLAB_SIZE)).toEqual([true, false]);
  });

  it('a short answer is one buffer of its own and takes no slab', () => {
    const pool = new SlabPool();
    const out = expectSameAsStringify({ nodes: list(100, (i) => `short ${i}`) }, pool);
    expect(out.pooled).toBe(false);
    expect(out.chunks).toHaveLength(1);
    expect(out.toBuffer()).toBe(out.chunks[0]);
    out.release();
    expect(pool.pooled).toBe(0);
    const long = expectSameAsStringify({ nodes: list(400, (i) => `${i}`.padEnd(250, '.')) }, pool);
    expect(long.pooled).toBe(true);
  });
});

/** An answer long enough (~75 KB) to be written into slabs. */
const sized = (tag: string) => ({ nodes: list(300, (i) => `${tag}${i}`.padEnd(250, tag)) });

describe('SlabPool', () => {
  it('reuses a slab only after release, once, and keeps at most its bound', () => {
    const pool = new SlabPool(2);
    const a = serializeJson(sized('a'), pool);
    const b = serializeJson(sized('b'), pool);
    expect(a.pooled && b.pooled).toBe(true);
    expect(pool.pooled).toBe(0);
    // b's bytes are still b's while a is unreleased: they are in a different slab.
    expect(a.chunks[0]!.buffer).not.toBe(b.chunks[0]!.buffer);
    const copy = a.toBuffer();
    a.release();
    a.release();
    expect(pool.pooled).toBe(1);
    const c = serializeJson(sized('c'), pool);
    expect(pool.pooled).toBe(0);
    expect(c.chunks[0]!.buffer).toBe(a.chunks[0]!.buffer);
    // c took a's slab: a's copy is its own memory and unchanged.
    expect(copy.toString()).toBe(JSON.stringify(sized('a')));
    expect(Buffer.concat(c.chunks).toString()).toBe(JSON.stringify(sized('c')));
    b.release();
    c.release();
    expect(pool.pooled).toBe(2);
    const extra = new SlabPool(2);
    for (const x of [
      serializeJson(sized('x'), extra),
      serializeJson(sized('y'), extra),
      serializeJson(sized('z'), extra),
    ])
      x.release();
    expect(extra.pooled).toBe(2);
  });
});

describe('sendSerialized', () => {
  /** A response that holds what it was given until told that the socket took it. */
  class HeldResponse extends EventEmitter {
    headers = new Map<string, number>();
    written: Buffer[] = [];
    ended = false;
    setHeader(name: string, value: number) {
      this.headers.set(name, value);
    }
    write(chunk: Buffer) {
      this.written.push(chunk);
    }
    end() {
      this.ended = true;
    }
  }
  const big = (tag: string) => ({ nodes: list(2000, (i) => `${tag}${i}`.padEnd(300, tag)) });

  it('sends every byte with its length and hands the slabs back only at finish', () => {
    const pool = new SlabPool();
    const res = new HeldResponse();
    const answer = serializeJson(big('a'), pool);
    expect(answer.chunks.length).toBeGreaterThan(1);
    sendSerialized(res, answer);
    expect(res.ended).toBe(true);
    expect(res.headers.get('content-length')).toBe(answer.length);
    // Still held by the response: another answer written now takes fresh slabs, not these.
    expect(pool.pooled).toBe(0);
    const other = serializeJson(big('b'), pool);
    expect(Buffer.concat(res.written).toString()).toBe(JSON.stringify(big('a')));
    res.emit('finish');
    expect(pool.pooled).toBe(answer.chunks.length);
    other.release();
  });

  it('keeps the slabs of a response that never finishes (the client went away)', () => {
    const pool = new SlabPool();
    const res = new HeldResponse();
    sendSerialized(res, serializeJson(big('c'), pool));
    res.emit('close');
    expect(pool.pooled).toBe(0);
    serializeJson(big('d'), pool);
    expect(Buffer.concat(res.written).toString()).toBe(JSON.stringify(big('c')));
  });
});
