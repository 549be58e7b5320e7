import type { Database } from '../../db/client.js';
import { recordScans, type ScanInput, type ScanJudgement, type ScanRules } from './codes.repository.js';

/** Most scans judged and written by one statement; a larger burst is handled by several in turn. */
const MAX_BATCH = 500;

interface Pending {
  scan: ScanInput;
  resolve: (judgement: ScanJudgement | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Judges and records consumer scans in batches (group commit): a scan waits for the statement that judges and
 * stores it, so a resolve answers only once its scan is durable, but while one statement is in flight the scans
 * arriving meanwhile queue and go together in the next. One scan at a time is one statement per scan; under load
 * one statement, one round trip and one commit carry dozens, which is what lets a resolve cost little more than
 * a plain lookup (on this stack a round trip's socket write is the largest single CPU cost).
 *
 * The queue lives only for the milliseconds of one statement, so the service stays stateless; `close()` waits
 * for it to drain.
 */
export class ScanRecorder {
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly rules: ScanRules,
  ) {}

  /** The scan's verdict and count once it is stored; undefined (nothing stored) for a code that does not exist. */
  record(scan: ScanInput): Promise<ScanJudgement | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ scan, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Resolves once every scan recorded so far is written (or has failed). */
  async close(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      // Let the scans of the same turn of the event loop join the first statement.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const judged = await recordScans(this.db, batch.map((p) => p.scan), this.rules);
          batch.forEach((p, i) => p.resolve(judged[i]));
        } catch {
          // One scan must not fail those it happened to share a statement with: take them one by one, so only
          // a scan that cannot be stored fails its own request.
          for (const p of batch) {
            try {
              p.resolve((await recordScans(this.db, [p.scan], this.rules))[0]);
            } catch (error) {
              p.reject(error);
            }
          }
        }
      }
    } finally {
      this.draining = null;
    }
  }
}
