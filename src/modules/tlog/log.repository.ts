import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client.js';
import { TILE_WIDTH } from './tiles.js';

/**
 * The verifiable log's tables (db/schema.ts, "The verifiable log"): tree state, checkpoints, entries (salted
 * commitments), full and partial tiles, full and partial entry bundles. Only the sequencer writes them.
 */

/** bytea as bytes on both drivers (postgres.js answers a Buffer, PGlite a Uint8Array). */
function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('expected bytea');
}

const bin = (b: Uint8Array) => sql`${Buffer.from(b.buffer, b.byteOffset, b.byteLength)}::bytea`;

export interface StoredLogState {
  size: number;
  root: Uint8Array;
  edge: Uint8Array;
  checkpoint: string;
  updatedAt: Date;
}

/** The sequencer's turn: the same advisory lock as the queue's drainers of the consumer (events/queue.ts). */
export async function lockSequencer(tx: Database, consumer: string): Promise<void> {
  await queryRows(tx, sql`select pg_advisory_xact_lock(hashtextextended(${`event-consumer:${consumer}`}, 0))`);
}

export async function readState(db: Database): Promise<StoredLogState | undefined> {
  const [row] = await queryRows<{ size: string | number; root: unknown; edge: unknown; checkpoint: string; updated_at: string | Date }>(
    db,
    sql`select size, root, edge, checkpoint, updated_at from log_state where id = 1`,
  );
  if (!row) return undefined;
  return { size: Number(row.size), root: bytes(row.root), edge: bytes(row.edge), checkpoint: row.checkpoint, updatedAt: new Date(row.updated_at) };
}

export async function saveState(tx: Database, state: { size: number; root: Uint8Array; edge: Uint8Array; checkpoint: string }): Promise<void> {
  await queryRows(
    tx,
    sql`insert into log_state (id, size, root, edge, checkpoint, updated_at)
        values (1, ${state.size}, ${bin(state.root)}, ${bin(state.edge)}, ${state.checkpoint}, now())
        on conflict (id) do update set size = excluded.size, root = excluded.root, edge = excluded.edge,
          checkpoint = excluded.checkpoint, updated_at = now()`,
  );
  await queryRows(
    tx,
    sql`insert into log_checkpoints (size, checkpoint) values (${state.size}, ${state.checkpoint})
        on conflict (size) do update set checkpoint = excluded.checkpoint`,
  );
}

export async function readPartialTiles(tx: Database): Promise<{ level: number; index: number; width: number; data: Uint8Array }[]> {
  const rows = await queryRows<{ level: number; index: string | number; width: number; data: unknown }>(
    tx,
    sql`select level, index, width, data from log_partial_tiles`,
  );
  return rows.map((r) => ({ level: Number(r.level), index: Number(r.index), width: Number(r.width), data: bytes(r.data) }));
}

export async function readPartialBundle(tx: Database): Promise<{ index: number; width: number; data: Uint8Array } | undefined> {
  const [row] = await queryRows<{ index: string | number; width: number; data: unknown }>(tx, sql`select index, width, data from log_partial_entry_bundles`);
  return row ? { index: Number(row.index), width: Number(row.width), data: bytes(row.data) } : undefined;
}

export interface NewEntry {
  index: number;
  eventId: string;
  salt: Uint8Array;
  commitment: Uint8Array;
}

export async function insertEntries(tx: Database, entries: readonly NewEntry[]): Promise<void> {
  // Bounded statements: four parameters an entry, well below the protocol's 65,535.
  for (let at = 0; at < entries.length; at += 2000) {
    const chunk = entries.slice(at, at + 2000);
    await queryRows(
      tx,
      sql`insert into log_entries (index, event_id, salt, commitment) values ${sql.join(
        chunk.map((e) => sql`(${e.index}, ${e.eventId}, ${bin(e.salt)}, ${bin(e.commitment)})`),
        sql`, `,
      )}`,
    );
  }
}

/** A tile as it is now: full (and its partial row gone) or partial at its new width. */
export async function writeTile(tx: Database, tile: { level: number; index: number; width: number }, data: Uint8Array, full: boolean): Promise<void> {
  if (full) {
    await queryRows(tx, sql`insert into log_tiles (level, index, data) values (${tile.level}, ${tile.index}, ${bin(data)})`);
    await queryRows(tx, sql`delete from log_partial_tiles where level = ${tile.level} and index = ${tile.index}`);
  } else {
    await queryRows(
      tx,
      sql`insert into log_partial_tiles (level, index, width, data) values (${tile.level}, ${tile.index}, ${tile.width}, ${bin(data)})
          on conflict (level, index) do update set width = excluded.width, data = excluded.data`,
    );
  }
}

export async function writeBundle(tx: Database, index: number, width: number, data: Uint8Array, full: boolean): Promise<void> {
  if (full) {
    await queryRows(tx, sql`insert into log_entry_bundles (index, data) values (${index}, ${bin(data)})`);
    await queryRows(tx, sql`delete from log_partial_entry_bundles where index = ${index}`);
  } else {
    await queryRows(
      tx,
      sql`insert into log_partial_entry_bundles (index, width, data) values (${index}, ${width}, ${bin(data)})
          on conflict (index) do update set width = excluded.width, data = excluded.data`,
    );
    // A partial bundle of an earlier index is complete now (written full above, in the same step).
    await queryRows(tx, sql`delete from log_partial_entry_bundles where index < ${index}`);
  }
}

/**
 * The stored body of tile (level, index): the full tile, or else the partial one (whatever width it has now).
 * One statement, so a partial tile turning full between two reads is still found.
 */
export async function readTileBody(db: Database, level: number, index: number): Promise<Uint8Array | undefined> {
  const [row] = await queryRows<{ data: unknown }>(
    db,
    sql`select data from (
          select data, 1 as pick from log_tiles where level = ${level} and index = ${index}
          union all
          select data, 2 as pick from log_partial_tiles where level = ${level} and index = ${index}
        ) t order by pick limit 1`,
  );
  return row ? bytes(row.data) : undefined;
}

export async function readBundleBody(db: Database, index: number): Promise<Uint8Array | undefined> {
  const [row] = await queryRows<{ data: unknown }>(
    db,
    sql`select data from (
          select data, 1 as pick from log_entry_bundles where index = ${index}
          union all
          select data, 2 as pick from log_partial_entry_bundles where index = ${index}
        ) t order by pick limit 1`,
  );
  return row ? bytes(row.data) : undefined;
}

export async function findEntry(db: Database, eventId: string): Promise<{ index: number; salt: Uint8Array; commitment: Uint8Array } | undefined> {
  const [row] = await queryRows<{ index: string | number; salt: unknown; commitment: unknown }>(
    db,
    sql`select index, salt, commitment from log_entries where event_id = ${eventId}`,
  );
  return row ? { index: Number(row.index), salt: bytes(row.salt), commitment: bytes(row.commitment) } : undefined;
}

/** The lots of new entries (log_entry_lots), in bounded statements. */
export async function insertEntryLots(tx: Database, rows: readonly { lotId: string; index: number }[]): Promise<void> {
  for (let at = 0; at < rows.length; at += 5000) {
    const chunk = rows.slice(at, at + 5000);
    await queryRows(tx, sql`insert into log_entry_lots (lot_id, index) values ${sql.join(chunk.map((r) => sql`(${r.lotId}, ${r.index})`), sql`, `)}`);
  }
}

/** The log entries of a lot's events, in log order, with the event each was made for. */
export async function findLotEntries(db: Database, lotId: string): Promise<{ index: number; eventId: string }[]> {
  const rows = await queryRows<{ index: string | number; event_id: string }>(
    db,
    sql`select l.index, e.event_id from log_entry_lots l join log_entries e on e.index = l.index where l.lot_id = ${lotId} order by l.index`,
  );
  return rows.map((r) => ({ index: Number(r.index), eventId: r.event_id }));
}

/** The checkpoint note the log signed for `size`, if it ever did. */
export async function findCheckpoint(db: Database, size: number): Promise<string | undefined> {
  const [row] = await queryRows<{ checkpoint: string }>(db, sql`select checkpoint from log_checkpoints where size = ${size}`);
  return row?.checkpoint;
}

export interface StoredCosignature {
  size: number;
  keyName: string;
  keyId: number;
  signedAt: number;
  line: string;
}

/** Stores cosignatures; one per witness key and size, so a repeated submission stores nothing new. Returns how many were new. */
export async function insertCosignatures(db: Database, rows: readonly StoredCosignature[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await queryRows<{ size: string }>(
    db,
    sql`insert into log_cosignatures (size, key_name, key_id, signed_at, line) values ${sql.join(
      rows.map((r) => sql`(${r.size}, ${r.keyName}, ${r.keyId}, ${r.signedAt}, ${r.line})`),
      sql`, `,
    )} on conflict do nothing returning size`,
  );
  return inserted.length;
}

/** The stored cosignature lines of the checkpoint of `size`, in the order they arrived. */
export async function readCosignatureLines(db: Database, size: number): Promise<string[]> {
  const rows = await queryRows<{ line: string }>(db, sql`select line from log_cosignatures where size = ${size} order by created_at, key_name, key_id`);
  return rows.map((r) => r.line);
}

/**
 * The stored bodies of several tiles in one statement (a proof needs a handful): the full tile, else the partial
 * one, answered in the order asked; undefined where neither is stored.
 */
export async function readTileBodies(db: Database, tiles: readonly { level: number; index: number }[]): Promise<(Uint8Array | undefined)[]> {
  if (tiles.length === 0) return [];
  // Arrays, not a VALUES list: the statement text is the same for any number of tiles, so its plan is reused.
  const rows = await queryRows<{ i: number | string; data: unknown }>(
    db,
    sql`select w.i, coalesce(f.data, p.data) as data
        from unnest(${`{${tiles.map((t) => t.level).join(',')}}`}::int[], ${`{${tiles.map((t) => t.index).join(',')}}`}::bigint[]) with ordinality as w(level, index, i)
          left join log_tiles f on f.level = w.level and f.index = w.index
          left join log_partial_tiles p on p.level = w.level and p.index = w.index`,
  );
  const out: (Uint8Array | undefined)[] = tiles.map(() => undefined);
  for (const r of rows) if (r.data !== null) out[Number(r.i) - 1] = bytes(r.data);
  return out;
}

/**
 * An event's entry and the tree state, with the level-0 tiles its proof reads — the entry's own and the one at
 * the tree's right edge (full or partial, as stored now) — in one statement: with the upper levels of the tree
 * in memory (tiles.ts, cachedUpperNodes), a proof then needs no other read. One statement is also one snapshot:
 * the partial tile is the one of this state's size.
 */
export async function findEntryAndState(db: Database, eventId: string): Promise<{
  entry: { index: number; salt: Uint8Array; commitment: Uint8Array } | undefined;
  state: { size: number; checkpoint: string } | undefined;
  /** Stored level-0 tile bodies by tile index (at least as wide as the state's size makes them). */
  levelZeroTiles: Map<number, Uint8Array>;
}> {
  const [row] = await queryRows<{
    index: string | number | null;
    salt: unknown;
    commitment: unknown;
    size: string | number;
    checkpoint: string;
    own: unknown;
    edge: unknown;
  }>(
    db,
    sql`select e.index, e.salt, e.commitment, s.size, s.checkpoint,
               coalesce(ef.data, ep.data) as own, coalesce(sf.data, sp.data) as edge
        from log_state s
          left join log_entries e on e.event_id = ${eventId}
          left join log_tiles ef on ef.level = 0 and ef.index = e.index / ${TILE_WIDTH}::int
          left join log_partial_tiles ep on ep.level = 0 and ep.index = e.index / ${TILE_WIDTH}::int
          left join log_tiles sf on sf.level = 0 and sf.index = (s.size - 1) / ${TILE_WIDTH}::int
          left join log_partial_tiles sp on sp.level = 0 and sp.index = (s.size - 1) / ${TILE_WIDTH}::int
        where s.id = 1`,
  );
  const levelZeroTiles = new Map<number, Uint8Array>();
  if (!row) return { entry: undefined, state: undefined, levelZeroTiles };
  const state = { size: Number(row.size), checkpoint: row.checkpoint };
  if (row.edge !== null && state.size > 0) levelZeroTiles.set(Math.floor((state.size - 1) / TILE_WIDTH), bytes(row.edge));
  if (row.index === null) return { entry: undefined, state, levelZeroTiles };
  const entry = { index: Number(row.index), salt: bytes(row.salt), commitment: bytes(row.commitment) };
  if (row.own !== null) levelZeroTiles.set(Math.floor(entry.index / TILE_WIDTH), bytes(row.own));
  return { entry, state, levelZeroTiles };
}
