// A tiny helper for SQL with numbered parameters: conditions are added with their values, and
// the placeholders ($1, $2, …) are handed out in order.
export class SqlParams {
  readonly values: unknown[] = [];
  /** Adds a value and returns its placeholder, optionally with a cast ("$3::date"). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

/** Opaque cursors: base64url JSON. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
