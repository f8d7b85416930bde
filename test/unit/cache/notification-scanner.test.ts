// NotificationScanner reads the NotificationResponse messages out of a raw PostgreSQL backend stream
// (what the Prisma Studio socket sends back), however the stream is cut into chunks, and ignores
// every other message – also one whose bytes contain what looks like a notification.
import { describe, expect, it } from 'vitest';
import { NotificationScanner } from '../../../src/db/changes.ts';

/** A backend message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const cstring = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);

/** NotificationResponse ('A'): int32 pid, channel\0, payload\0. */
function notification(pid: number, channel: string, payload: string): Buffer {
  const p = Buffer.alloc(4);
  p.writeInt32BE(pid);
  return message('A', Buffer.concat([p, cstring(channel), cstring(payload)]));
}

const commandComplete = (tag: string) => message('C', cstring(tag));
const readyForQuery = () => message('Z', Buffer.from('I'));
/** A DataRow whose one column holds the bytes of a whole notification: not a notification. */
const dataRowHidingANotification = () => {
  const inner = notification(1, 'eolgraph_data_changed', 'product');
  const body = Buffer.alloc(6);
  body.writeInt16BE(1, 0);
  body.writeInt32BE(inner.length, 2);
  return message('D', Buffer.concat([body, inner]));
};

const STREAM = Buffer.concat([
  commandComplete('UPDATE 1'),
  notification(4242, 'eolgraph_data_changed', 'release_cycle'),
  dataRowHidingANotification(),
  notification(7, 'another_channel', 'payload with ünïcödé'),
  notification(4242, 'eolgraph_data_changed', ''),
  readyForQuery(),
]);
const EXPECTED = [
  ['eolgraph_data_changed', 'release_cycle'],
  ['another_channel', 'payload with ünïcödé'],
  ['eolgraph_data_changed', ''],
];

function scan(chunks: Buffer[]): string[][] {
  const seen: string[][] = [];
  const scanner = new NotificationScanner((channel, payload) => seen.push([channel, payload]));
  for (const c of chunks) scanner.push(new Uint8Array(c));
  return seen;
}

describe('NotificationScanner', () => {
  it('finds every notification among other messages in one chunk, in order', () => {
    expect(scan([STREAM])).toEqual(EXPECTED);
  });

  it('ignores a stream without notifications', () => {
    expect(scan([commandComplete('SELECT 1'), dataRowHidingANotification(), readyForQuery()])).toEqual([]);
  });

  it('finds them when the stream is split in two at every byte boundary', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      expect(scan([STREAM.subarray(0, i), STREAM.subarray(i)]), `split at ${i}`).toEqual(EXPECTED);
    }
  });

  it('finds them when the stream is split in three at every pair of byte boundaries', () => {
    const expected = JSON.stringify(EXPECTED);
    const wrong: string[] = [];
    let splits = 0;
    for (let i = 0; i <= STREAM.length; i++) {
      for (let j = i; j <= STREAM.length; j++) {
        const seen = JSON.stringify(scan([STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]));
        splits += 1;
        if (seen !== expected) wrong.push(`${i},${j}: ${seen}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(splits).toBe(((STREAM.length + 1) * (STREAM.length + 2)) / 2);
  });

  it('finds them when the stream arrives one byte at a time', () => {
    const bytes = [...STREAM].map((b) => Buffer.from([b]));
    expect(scan(bytes)).toEqual(EXPECTED);
  });

  it('reports a notification only once it is complete', () => {
    const seen: string[][] = [];
    const scanner = new NotificationScanner((channel, payload) => seen.push([channel, payload]));
    const n = notification(1, 'eolgraph_data_changed', 'product');
    scanner.push(n.subarray(0, n.length - 1));
    expect(seen).toEqual([]);
    scanner.push(n.subarray(n.length - 1));
    expect(seen).toEqual([['eolgraph_data_changed', 'product']]);
  });
});
