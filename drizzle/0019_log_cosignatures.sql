CREATE TABLE "log_cosignatures" (
	"size" bigint NOT NULL,
	"key_name" text NOT NULL,
	"key_id" bigint NOT NULL,
	"signed_at" bigint NOT NULL,
	"line" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "log_cosignatures_size_key_name_key_id_pk" PRIMARY KEY("size","key_name","key_id")
);
--> statement-breakpoint
CREATE TABLE "log_entry_lots" (
	"lot_id" text NOT NULL,
	"index" bigint NOT NULL,
	CONSTRAINT "log_entry_lots_lot_id_index_pk" PRIMARY KEY("lot_id","index")
);
--> statement-breakpoint
-- The entries already in the log, with the lots their events concern now (nothing has changed them: history is append-only).
INSERT INTO "log_entry_lots" ("lot_id", "index")
  SELECT DISTINCT el."lot_id", le."index" FROM "log_entries" le JOIN "event_lots" el ON el."event_id" = le."event_id";
--> statement-breakpoint
-- Written once, like the entries (0017): the database refuses to change them.
CREATE TRIGGER log_entry_lots_append_only BEFORE UPDATE OR DELETE ON "log_entry_lots"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER log_entry_lots_no_truncate BEFORE TRUNCATE ON "log_entry_lots"
  FOR EACH STATEMENT EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER log_cosignatures_append_only BEFORE UPDATE OR DELETE ON "log_cosignatures"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER log_cosignatures_no_truncate BEFORE TRUNCATE ON "log_cosignatures"
  FOR EACH STATEMENT EXECUTE FUNCTION herbtrace_refuse_history_change();
