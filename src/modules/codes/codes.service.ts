import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { customAlphabet } from 'nanoid';
import type { Database } from '../../db/client.js';
import { ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { encodeDigitalLinkSegment, validateGs1Cset82 } from '../../lib/identifiers.js';
import type { Actor } from '../../access/actor.js';
import { authorizeLot, requireWriter } from '../../access/policy.js';
import { recordEvent } from '../../events/index.js';
import { lockLots } from '../lots/index.js';
import { assertHolder, assertNotInTransit, assertUsable } from '../lots/index.js';
import * as repo from './codes.repository.js';
import type { CodeView, IssueCodesInput } from './codes.schemas.js';

/**
 * Serial alphabet: digits and letters without the ones people misread on a label (0 O o, 1 I l L), all inside
 * GS1's AI 21 character set. 55 symbols × 16 characters ≈ 92 bits: unguessable, and within AI 21's 20.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz';
export const CODE_LENGTH = 16;
export const newCode = customAlphabet(CODE_ALPHABET, CODE_LENGTH);

/** What a code's QR encodes: a GS1 Digital Link URI for a unit of a lot with a GTIN, else the short /q/ form. */
export function codeUrl(baseUrl: string, lot: { gtin: string | null; lotNumber: string }, code: string, level: string): string {
  if (level === 'unit' && lot.gtin) {
    return `${baseUrl}/01/${lot.gtin}/10/${encodeDigitalLinkSegment(lot.lotNumber)}/21/${code}`;
  }
  return `${baseUrl}/q/${code}`;
}

/** POST /v1/lots/{id}/codes: unit codes for a product lot, or lot-level codes for any lot, by its holder. */
export async function issueCodes(db: Database, actor: Actor, lotId: string, input: IssueCodesInput, baseUrl: string) {
  const writer = requireWriter(actor);
  const level = input.level ?? 'unit';
  await authorizeLot(db, actor, lotId, 'record');
  // In code-unit order, the order a replay reads them back in (codesOfIssue).
  const serials = Array.from({ length: input.count }, () => newCode()).sort();
  const result = await db.transaction(async (tx) => {
    // Locked so a recall or shipment committed at the same moment is seen before any code is issued.
    const lot = (await lockLots(tx, [lotId])).get(lotId)!;
    assertHolder(lot, writer.organizationId, 'lotId');
    assertNotInTransit(lot, 'lotId');
    assertUsable(lot, 'lotId');
    if (level === 'unit' && lot.stage !== 'product') {
      throw new RuleViolationError('unit-codes-product-only', `Unit codes are issued for product lots; lot ${lot.id} is a ${lot.stage} lot (use level "lot").`, [
        { path: 'level', message: `a ${lot.stage} lot takes lot-level codes only` },
      ]);
    }
    if (level === 'unit' && lot.gtin) {
      const problem = validateGs1Cset82(lot.lotNumber);
      if (problem) {
        throw new RuleViolationError(
          'gs1-lot-number',
          `Lot number "${lot.lotNumber}" cannot be the batch/lot (AI 10) of a GS1 Digital Link: it ${problem}. Codes for a lot with a GTIN need such a lot number.`,
          [{ path: 'lotId', message: `lotNumber ${problem}` }],
        );
      }
    }
    const event = await recordEvent(tx, actor, {
      type: 'codes_issued',
      occurredAt: { at: new Date(), offsetMinutes: 0 },
      data: { count: input.count, level },
      lots: [{ lotId, role: 'subject' }],
    });
    await repo.insertCodes(tx, { codes: serials, lotId, level, issuedBy: writer.organizationId, eventId: event.id });
    return { lot, eventId: event.id };
  });
  return {
    lotId,
    eventId: result.eventId,
    count: serials.length,
    codes: serials.map((code) => ({ code, url: codeUrl(baseUrl, result.lot, code, level) })),
  };
}

/**
 * What an idempotent replay of an issue keeps instead of the answer (100,000 codes are 7.7 MB): the issue's
 * event, from which issuedCodesReplay reads the same answer back.
 */
export const issuedCodesReplayData = (issued: { lotId: string; eventId: string }) => ({ lotId: issued.lotId, eventId: issued.eventId });

export async function issuedCodesReplay(db: Database, stored: unknown, baseUrl: string) {
  const { lotId, eventId } = stored as ReturnType<typeof issuedCodesReplayData>;
  const rows = await repo.codesOfIssue(db, lotId, eventId);
  return { lotId, eventId, count: rows.length, codes: rows.map((r) => ({ code: r.code, url: codeUrl(baseUrl, r, r.code, r.level) })) };
}

/** The holder and the producer of the lot see its codes and scans (access/policy.ts 'manage-codes'). */
const manageableLot = (db: Database, actor: Actor, lotId: string) => authorizeLot(db, actor, lotId, 'manage-codes');

const CURSOR = /^[0-9A-Za-z]{1,64}$/;

export async function listCodes(db: Database, actor: Actor, lotId: string, query: { limit?: number | undefined; cursor?: string | undefined }, baseUrl: string) {
  const lot = await manageableLot(db, actor, lotId);
  const limit = query.limit ?? 100;
  let after: string | undefined;
  if (query.cursor !== undefined) {
    after = Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (!CURSOR.test(after)) throw ValidationError.field('cursor', 'is not a cursor this service issued');
  }
  const rows = await repo.listCodes(db, lotId, after, limit + 1);
  const page = rows.slice(0, limit);
  const items: CodeView[] = page.map((r) => ({ code: r.code, url: codeUrl(baseUrl, lot, r.code, r.level), level: r.level as CodeView['level'], status: r.voidedAt ? 'void' : 'active' }));
  const last = page.at(-1);
  return { items, nextCursor: rows.length > limit && last ? Buffer.from(last.code).toString('base64url') : null };
}

/** Every code of the lot as CSV (code,url,level,status), read in pages so memory stays flat per page. */
export async function codesCsv(db: Database, actor: Actor, lotId: string, baseUrl: string): Promise<Readable> {
  // Checked before the first byte: a caller without the right still gets a problem document, not a CSV.
  const lot = await manageableLot(db, actor, lotId);
  async function* records() {
    let after: string | undefined;
    for (;;) {
      // Read a page when the client has taken the last one (backpressure): memory stays at a page.
      const rows = await repo.listCodes(db, lotId, after, 20_000);
      for (const r of rows) yield [r.code, codeUrl(baseUrl, lot, r.code, r.level), r.level, r.voidedAt ? 'void' : 'active'];
      if (rows.length < 20_000) return;
      after = rows.at(-1)!.code;
    }
  }
  // pipeline, not pipe: a failed page read destroys the CSV stream too, so the response is cut off, not left hanging.
  return pipeline(Readable.from(records()), stringify({ header: true, columns: ['code', 'url', 'level', 'status'], record_delimiter: 'windows' }), () => {});
}

async function manageableCode(db: Database, actor: Actor, code: string) {
  const row = await repo.findCode(db, code);
  if (!row) throw new NotFoundError(`No code ${code}.`);
  try {
    const lot = await manageableLot(db, actor, row.lotId);
    return { row, lot };
  } catch {
    // Codes of lots the caller has no part in are not revealed to exist.
    throw new NotFoundError(`No code ${code}.`);
  }
}

/** POST /v1/codes/{code}/void: the holder withdraws a code (a damaged or misprinted label); resolves say void. */
export async function voidCode(db: Database, actor: Actor, code: string, reason: string, baseUrl: string): Promise<CodeView> {
  const writer = requireWriter(actor);
  const { row, lot } = await manageableCode(db, actor, code);
  if (lot.holderId !== writer.organizationId) throw new ForbiddenError('Only the holder of the lot voids its codes.');
  if (row.voidedAt) {
    throw new RuleViolationError('code-voided', `Code ${code} is already void.`, [{ path: 'code', message: 'already void' }]);
  }
  await db.transaction(async (tx) => {
    const event = await recordEvent(tx, actor, {
      type: 'code_voided',
      occurredAt: { at: new Date(), offsetMinutes: 0 },
      data: { code, reason },
      lots: [{ lotId: row.lotId, role: 'subject' }],
    });
    await repo.voidCode(tx, code, reason, event.id);
  });
  return { code, url: codeUrl(baseUrl, lot, code, row.level), level: row.level as CodeView['level'], status: 'void' };
}

export async function codeScans(db: Database, actor: Actor, code: string, windowHours: number) {
  const { row } = await manageableCode(db, actor, code);
  const since = new Date(Date.now() - windowHours * 3_600_000);
  const [stats, recent] = await Promise.all([repo.codeScanStats(db, code, since), repo.recentScans(db, code, 50)]);
  return {
    code,
    lotId: row.lotId,
    status: (row.voidedAt ? 'void' : 'active') as 'void' | 'active',
    stats,
    recent: recent.map((s) => ({
      scannedAt: s.scannedAt.toISOString(),
      network: s.network,
      userAgent: s.userAgent,
      location: s.lat !== null && s.lon !== null ? { lat: s.lat, lon: s.lon } : null,
      regionCode: s.regionCode,
      verdict: s.verdict,
    })),
  };
}

export async function lotScans(db: Database, actor: Actor, lotId: string, windowHours: number) {
  await manageableLot(db, actor, lotId);
  const since = new Date(Date.now() - windowHours * 3_600_000);
  return { lotId, ...(await repo.lotScanStats(db, lotId, since)) };
}
