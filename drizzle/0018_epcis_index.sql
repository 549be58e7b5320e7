CREATE TABLE "epcis_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "epcis_events_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_hash_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"event_type" text NOT NULL,
	"event_time" timestamp (3) with time zone NOT NULL,
	"record_time" timestamp (3) with time zone NOT NULL,
	"biz_step" text,
	"disposition" text,
	"read_point" text,
	"biz_location" text,
	"epcs" text[] NOT NULL,
	"any_epcs" text[] NOT NULL,
	"epc_classes" text[] NOT NULL,
	"any_epc_classes" text[] NOT NULL,
	"document" text NOT NULL,
	"indexed_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "epcis_events" ADD CONSTRAINT "epcis_events_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "epcis_events_event_hash_id_key" ON "epcis_events" USING btree ("event_hash_id");--> statement-breakpoint
CREATE UNIQUE INDEX "epcis_events_position_key" ON "epcis_events" USING btree ("position");--> statement-breakpoint
CREATE INDEX "epcis_events_event_time_idx" ON "epcis_events" USING btree ("event_time","position");--> statement-breakpoint
CREATE INDEX "epcis_events_record_time_idx" ON "epcis_events" USING btree ("record_time","position");--> statement-breakpoint
CREATE INDEX "epcis_events_biz_step_idx" ON "epcis_events" USING btree ("biz_step","position");--> statement-breakpoint
CREATE INDEX "epcis_events_biz_location_idx" ON "epcis_events" USING btree ("biz_location","position");--> statement-breakpoint
CREATE INDEX "epcis_events_read_point_idx" ON "epcis_events" USING btree ("read_point","position");--> statement-breakpoint
CREATE INDEX "epcis_events_epcs_idx" ON "epcis_events" USING gin ("epcs");--> statement-breakpoint
CREATE INDEX "epcis_events_any_epcs_idx" ON "epcis_events" USING gin ("any_epcs");--> statement-breakpoint
CREATE INDEX "epcis_events_epc_classes_idx" ON "epcis_events" USING gin ("epc_classes");--> statement-breakpoint
CREATE INDEX "epcis_events_any_epc_classes_idx" ON "epcis_events" USING gin ("any_epc_classes");