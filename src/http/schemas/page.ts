// Paging, the same for every list: `limit` and an opaque `cursor` in, `items` and `next_cursor` out.
import { z } from 'zod';

/** The paging fields of a list's query string. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
};

/** A page of `item`s. */
export const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() });

/** Opaque cursors: where the last page ended, base64url. A cursor that is not one of ours is a 400. */
export const cursor = {
  encode: (after: string | number) => Buffer.from(JSON.stringify({ a: after })).toString('base64url'),
  decode<T extends string | number>(raw: string | undefined, kind: 'string' | 'number'): T | undefined {
    if (raw === undefined) return undefined;
    try {
      const a = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')).a;
      if (typeof a === kind) return a as T;
    } catch {
      /* fall through */
    }
    const err = Object.assign(new Error('The cursor is not one this API gave out'), { statusCode: 400 });
    throw err;
  },
};

/**
 * A page from `limit + 1` rows read: the first `limit` items, and a cursor after the last of them
 * (by `key`) when there was one more row.
 */
export function pageOf<R, I>(rows: R[], limit: number, item: (row: R) => I, key: (item: I) => string | number) {
  const items = rows.slice(0, limit).map(item);
  return { items, next_cursor: rows.length > limit ? cursor.encode(key(items[items.length - 1])) : null };
}
