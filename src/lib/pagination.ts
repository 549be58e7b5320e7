import { and, eq, gt, or, type Column, type SQL } from 'drizzle-orm';
import { ValidationError } from './errors.js';
import { tryParseOffsetTime } from './time.js';

const CURSOR_ID = /^[0-9A-Za-z_-]{1,64}$/;

/** Keyset cursor over (createdAt, id): stable under concurrent inserts, unlike offsets. */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    // Only what encodeCursor writes: a UTC timestamp in range (the one parser) and an id of the usual shape.
    const time = typeof createdAt === 'string' ? tryParseOffsetTime(createdAt) : undefined;
    if (typeof id === 'string' && CURSOR_ID.test(id) && time) return { createdAt: time.at, id };
  } catch {
    // fall through to the error below
  }
  throw ValidationError.field('cursor', 'is not a cursor this service issued');
}

/** Given limit+1 rows fetched in order, the page and the cursor of the next one. */
export function toPage<Row extends { createdAt: Date; id: string }, Item>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return { items: pageRows.map(map), nextCursor: hasMore && last ? encodeCursor(last) : null };
}

/** The keyset condition "after this position" for a list ordered by (createdAt, id). */
export function afterPosition(createdAtColumn: Column, idColumn: Column, after: CursorPosition | undefined): SQL | undefined {
  if (!after) return undefined;
  return or(gt(createdAtColumn, after.createdAt), and(eq(createdAtColumn, after.createdAt), gt(idColumn, after.id)));
}
