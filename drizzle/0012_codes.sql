CREATE TABLE "code_scans" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "code_scans_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"code" text NOT NULL,
	"lot_id" text NOT NULL,
	"scanned_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"network" text,
	"user_agent" text,
	"lat" double precision,
	"lon" double precision,
	"region_code" text,
	"verdict" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "codes" (
	"code" text PRIMARY KEY NOT NULL,
	"lot_id" text NOT NULL,
	"level" text NOT NULL,
	"issued_by" text NOT NULL,
	"event_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"voided_at" timestamp (3) with time zone,
	"void_reason" text,
	"void_event_id" text
);
--> statement-breakpoint
ALTER TABLE "codes" ADD CONSTRAINT "codes_lot_id_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "codes" ADD CONSTRAINT "codes_issued_by_organizations_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "code_scans_code_scanned_at_idx" ON "code_scans" USING btree ("code","scanned_at");--> statement-breakpoint
CREATE INDEX "code_scans_lot_id_scanned_at_idx" ON "code_scans" USING btree ("lot_id","scanned_at");--> statement-breakpoint
CREATE UNIQUE INDEX "codes_lot_id_code_key" ON "codes" USING btree ("lot_id","code");