CREATE TABLE "analytes" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"category" text NOT NULL,
	"units" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"kind" text NOT NULL,
	"site_id" text,
	"gi_code" text,
	"product" text,
	"authority" text NOT NULL,
	"number" text NOT NULL,
	"valid_from" text NOT NULL,
	"valid_until" text NOT NULL,
	"event_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gi_claims" (
	"lot_id" text NOT NULL,
	"gi_code" text NOT NULL,
	"organization_id" text NOT NULL,
	"certificate_id" text NOT NULL,
	"claimed_at" timestamp (3) with time zone NOT NULL,
	"claimed_at_offset" integer NOT NULL,
	"event_id" text NOT NULL,
	CONSTRAINT "gi_claims_lot_id_gi_code_pk" PRIMARY KEY("lot_id","gi_code")
);
--> statement-breakpoint
CREATE TABLE "gi_products" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"species_code" text,
	"regions_verified" boolean DEFAULT false NOT NULL,
	"regions_source" text,
	"regions_updated_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "gi_regions" (
	"gi_code" text NOT NULL,
	"region_code" text NOT NULL,
	CONSTRAINT "gi_regions_gi_code_region_code_pk" PRIMARY KEY("gi_code","region_code")
);
--> statement-breakpoint
CREATE TABLE "lab_grants" (
	"lot_id" text NOT NULL,
	"lab_organization_id" text NOT NULL,
	"granted_by" text NOT NULL,
	"event_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lab_grants_lot_id_lab_organization_id_granted_by_pk" PRIMARY KEY("lot_id","lab_organization_id","granted_by")
);
--> statement-breakpoint
CREATE TABLE "lab_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"lot_id" text NOT NULL,
	"report_number" text NOT NULL,
	"submitted_by" text NOT NULL,
	"sampled_at" timestamp (3) with time zone NOT NULL,
	"sampled_at_offset" integer NOT NULL,
	"tested_at" timestamp (3) with time zone NOT NULL,
	"tested_at_offset" integer NOT NULL,
	"edition" text,
	"monograph_code" text,
	"verdict" text NOT NULL,
	"missing" text[] NOT NULL,
	"event_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_result_items" (
	"report_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"analyte_code" text NOT NULL,
	"value" numeric(20, 6) NOT NULL,
	"unit" text NOT NULL,
	"basis" text NOT NULL,
	"method" text,
	"loq" numeric(20, 6),
	"limit_id" text,
	"compared_value" text,
	"verdict" text NOT NULL,
	CONSTRAINT "lab_result_items_report_id_line_no_pk" PRIMARY KEY("report_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "monographs" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"latin_name" text,
	"species_code" text NOT NULL,
	"stages" text[] NOT NULL,
	"lot_form" text
);
--> statement-breakpoint
CREATE TABLE "pharmacopoeia_limits" (
	"id" text PRIMARY KEY NOT NULL,
	"edition" text NOT NULL,
	"monograph_code" text NOT NULL,
	"analyte_code" text NOT NULL,
	"comparator" text NOT NULL,
	"value" numeric(20, 6) NOT NULL,
	"unit" text NOT NULL,
	"basis" text NOT NULL,
	"required" boolean DEFAULT false NOT NULL,
	"method_reference" text,
	"verified" boolean DEFAULT false NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "pharmacopoeia_limits_comparator" CHECK ("pharmacopoeia_limits"."comparator" in ('gte', 'lte')),
	CONSTRAINT "pharmacopoeia_limits_basis" CHECK ("pharmacopoeia_limits"."basis" in ('as_is', 'dried'))
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_gi_code_gi_products_code_fk" FOREIGN KEY ("gi_code") REFERENCES "public"."gi_products"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gi_claims" ADD CONSTRAINT "gi_claims_lot_id_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gi_claims" ADD CONSTRAINT "gi_claims_gi_code_gi_products_code_fk" FOREIGN KEY ("gi_code") REFERENCES "public"."gi_products"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gi_claims" ADD CONSTRAINT "gi_claims_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gi_claims" ADD CONSTRAINT "gi_claims_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gi_products" ADD CONSTRAINT "gi_products_species_code_species_code_fk" FOREIGN KEY ("species_code") REFERENCES "public"."species"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gi_regions" ADD CONSTRAINT "gi_regions_gi_code_gi_products_code_fk" FOREIGN KEY ("gi_code") REFERENCES "public"."gi_products"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gi_regions" ADD CONSTRAINT "gi_regions_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_grants" ADD CONSTRAINT "lab_grants_lot_id_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_grants" ADD CONSTRAINT "lab_grants_lab_organization_id_organizations_id_fk" FOREIGN KEY ("lab_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_grants" ADD CONSTRAINT "lab_grants_granted_by_organizations_id_fk" FOREIGN KEY ("granted_by") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_reports" ADD CONSTRAINT "lab_reports_lot_id_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_reports" ADD CONSTRAINT "lab_reports_submitted_by_organizations_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_reports" ADD CONSTRAINT "lab_reports_monograph_code_monographs_code_fk" FOREIGN KEY ("monograph_code") REFERENCES "public"."monographs"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_result_items" ADD CONSTRAINT "lab_result_items_report_id_lab_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."lab_reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_result_items" ADD CONSTRAINT "lab_result_items_analyte_code_analytes_code_fk" FOREIGN KEY ("analyte_code") REFERENCES "public"."analytes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_result_items" ADD CONSTRAINT "lab_result_items_limit_id_pharmacopoeia_limits_id_fk" FOREIGN KEY ("limit_id") REFERENCES "public"."pharmacopoeia_limits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monographs" ADD CONSTRAINT "monographs_species_code_species_code_fk" FOREIGN KEY ("species_code") REFERENCES "public"."species"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pharmacopoeia_limits" ADD CONSTRAINT "pharmacopoeia_limits_monograph_code_monographs_code_fk" FOREIGN KEY ("monograph_code") REFERENCES "public"."monographs"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pharmacopoeia_limits" ADD CONSTRAINT "pharmacopoeia_limits_analyte_code_analytes_code_fk" FOREIGN KEY ("analyte_code") REFERENCES "public"."analytes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_authority_number_kind_key" ON "certificates" USING btree ("kind","authority","number");--> statement-breakpoint
CREATE INDEX "certificates_organization_id_idx" ON "certificates" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "certificates_site_id_idx" ON "certificates" USING btree ("site_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lab_reports_lot_report_number_key" ON "lab_reports" USING btree ("lot_id","report_number");--> statement-breakpoint
CREATE UNIQUE INDEX "pharmacopoeia_limits_edition_monograph_analyte_key" ON "pharmacopoeia_limits" USING btree ("edition","monograph_code","analyte_code");