CREATE TABLE "event_lots" (
	"event_id" text NOT NULL,
	"lot_id" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "event_lots_event_id_lot_id_role_pk" PRIMARY KEY("event_id","lot_id","role")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"organization_id" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"occurred_at_offset" integer NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lot_edges" (
	"parent_lot_id" text NOT NULL,
	"child_lot_id" text NOT NULL,
	"event_id" text NOT NULL,
	"parent_quantity" numeric(20, 3) NOT NULL,
	"parent_unit" text NOT NULL,
	CONSTRAINT "lot_edges_parent_lot_id_child_lot_id_event_id_pk" PRIMARY KEY("parent_lot_id","child_lot_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "lots" (
	"id" text PRIMARY KEY NOT NULL,
	"lot_number" text NOT NULL,
	"stage" text NOT NULL,
	"species_code" text NOT NULL,
	"producer_id" text NOT NULL,
	"holder_id" text NOT NULL,
	"site_id" text,
	"quantity" numeric(20, 3) NOT NULL,
	"remaining" numeric(20, 3) NOT NULL,
	"unit" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"shipment_id" text,
	"produced_at" timestamp (3) with time zone NOT NULL,
	"produced_at_offset" integer NOT NULL,
	"attributes" jsonb NOT NULL,
	"origin" jsonb NOT NULL,
	"gtin" text,
	"created_by_event_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lots_remaining_range" CHECK ("lots"."remaining" >= 0 and "lots"."remaining" <= "lots"."quantity"),
	CONSTRAINT "lots_quantity_positive" CHECK ("lots"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "shipment_lines" (
	"shipment_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"lot_id" text NOT NULL,
	"source_lot_id" text NOT NULL,
	"quantity" numeric(20, 3) NOT NULL,
	"unit" text NOT NULL,
	CONSTRAINT "shipment_lines_shipment_id_line_no_pk" PRIMARY KEY("shipment_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"id" text PRIMARY KEY NOT NULL,
	"from_organization_id" text NOT NULL,
	"to_organization_id" text NOT NULL,
	"status" text NOT NULL,
	"shipped_at" timestamp (3) with time zone NOT NULL,
	"shipped_at_offset" integer NOT NULL,
	"closed_at" timestamp (3) with time zone,
	"closed_at_offset" integer,
	"dispatch_event_id" text NOT NULL,
	"close_event_id" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "event_lots" ADD CONSTRAINT "event_lots_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_lots" ADD CONSTRAINT "event_lots_lot_id_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lot_edges" ADD CONSTRAINT "lot_edges_parent_lot_id_lots_id_fk" FOREIGN KEY ("parent_lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lot_edges" ADD CONSTRAINT "lot_edges_child_lot_id_lots_id_fk" FOREIGN KEY ("child_lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lot_edges" ADD CONSTRAINT "lot_edges_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_species_code_species_code_fk" FOREIGN KEY ("species_code") REFERENCES "public"."species"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_producer_id_organizations_id_fk" FOREIGN KEY ("producer_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_holder_id_organizations_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lots" ADD CONSTRAINT "lots_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_shipment_id_shipments_id_fk" FOREIGN KEY ("shipment_id") REFERENCES "public"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_lot_id_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_source_lot_id_lots_id_fk" FOREIGN KEY ("source_lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_from_organization_id_organizations_id_fk" FOREIGN KEY ("from_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_to_organization_id_organizations_id_fk" FOREIGN KEY ("to_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_lots_lot_id_idx" ON "event_lots" USING btree ("lot_id");--> statement-breakpoint
CREATE INDEX "events_organization_id_idx" ON "events" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "lot_edges_child_lot_id_idx" ON "lot_edges" USING btree ("child_lot_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lots_producer_lot_number_key" ON "lots" USING btree ("producer_id","lot_number");--> statement-breakpoint
CREATE INDEX "lots_holder_created_at_id_idx" ON "lots" USING btree ("holder_id","created_at","id");--> statement-breakpoint
CREATE INDEX "lots_producer_created_at_id_idx" ON "lots" USING btree ("producer_id","created_at","id");--> statement-breakpoint
CREATE INDEX "lots_created_at_id_idx" ON "lots" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "shipment_lines_lot_id_idx" ON "shipment_lines" USING btree ("lot_id");--> statement-breakpoint
CREATE INDEX "shipments_from_created_at_id_idx" ON "shipments" USING btree ("from_organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "shipments_to_created_at_id_idx" ON "shipments" USING btree ("to_organization_id","created_at","id");