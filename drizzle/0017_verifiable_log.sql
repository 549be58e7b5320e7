CREATE TABLE "log_checkpoints" (
	"size" bigint PRIMARY KEY NOT NULL,
	"checkpoint" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_entries" (
	"index" bigint PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"salt" "bytea" NOT NULL,
	"commitment" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_entry_bundles" (
	"index" bigint PRIMARY KEY NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_partial_entry_bundles" (
	"index" bigint PRIMARY KEY NOT NULL,
	"width" integer NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_partial_tiles" (
	"level" integer NOT NULL,
	"index" bigint NOT NULL,
	"width" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "log_partial_tiles_level_index_pk" PRIMARY KEY("level","index")
);
--> statement-breakpoint
CREATE TABLE "log_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"root" "bytea" NOT NULL,
	"edge" "bytea" NOT NULL,
	"checkpoint" text NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "log_state_one_row" CHECK ("log_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "log_tiles" (
	"level" integer NOT NULL,
	"index" bigint NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "log_tiles_level_index_pk" PRIMARY KEY("level","index")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "log_entries_event_id_key" ON "log_entries" USING btree ("event_id");--> statement-breakpoint
-- The log's entries and full tiles and bundles are written once: the database refuses to change them (as it refuses
-- to change the history, 0004). Partial tiles and bundles, the state and the checkpoint list are replaced as the tree grows.
CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON "log_entries"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER log_entries_no_truncate BEFORE TRUNCATE ON "log_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER log_tiles_append_only BEFORE UPDATE OR DELETE ON "log_tiles"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER log_entry_bundles_append_only BEFORE UPDATE OR DELETE ON "log_entry_bundles"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
