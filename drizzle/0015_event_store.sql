CREATE TABLE "event_consumers" (
	"name" text PRIMARY KEY NOT NULL,
	"last_tx_id" "xid8" DEFAULT '0'::xid8 NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "role" text DEFAULT 'owner' NOT NULL;--> statement-breakpoint
-- Events recorded before the event store were all recorded with an organisation's API key, which was not kept.
ALTER TABLE "events" ADD COLUMN "actor_kind" text DEFAULT 'api_key' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "actor_kind" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "actor_key_id" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "actor_user_id" text;--> statement-breakpoint
-- Existing events all get this migration's transaction id: they keep their seq order in the queue.
ALTER TABLE "events" ADD COLUMN "tx_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
CREATE INDEX "events_tx_id_seq_idx" ON "events" USING btree ("tx_id","seq");--> statement-breakpoint
-- A lab_result event now carries its report's items, so the event alone says what the lab found. Events
-- recorded before get them from lab_result_items; the append-only guard is lifted for this one backfill.
ALTER TABLE "events" DISABLE TRIGGER "events_append_only";--> statement-breakpoint
UPDATE "events" e SET "data" = e."data" || jsonb_build_object('items', (
  SELECT coalesce(jsonb_agg(jsonb_build_object(
    'analyte', i."analyte_code", 'value', trim_scale(i."value")::text, 'unit', i."unit", 'basis', i."basis", 'method', i."method", 'loq', trim_scale(i."loq")::text,
    'verdict', i."verdict", 'limitId', i."limit_id", 'comparedValue', i."compared_value") ORDER BY i."line_no"), '[]'::jsonb)
  FROM "lab_result_items" i WHERE i."report_id" = e."data"->>'reportId'))
WHERE e."type" = 'lab_result' AND NOT (e."data" ? 'items');--> statement-breakpoint
ALTER TABLE "events" ENABLE TRIGGER "events_append_only";
