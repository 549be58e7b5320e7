DROP INDEX "certificates_authority_number_kind_key";--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "assertion" text DEFAULT 'self_declared' NOT NULL;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "confirmed_by" text;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "confirmed_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "confirm_event_id" text;--> statement-breakpoint
ALTER TABLE "code_scans" ADD COLUMN "device" text;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "response_replay" jsonb;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_confirmed_by_organizations_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_holder_authority_number_key" ON "certificates" USING btree ("organization_id","authority","number");--> statement-breakpoint
CREATE INDEX "certificates_authority_number_idx" ON "certificates" USING btree ("authority","number");--> statement-breakpoint
-- Keys are now claimed inside the transaction of the write they protect: a committed `pending` record is
-- left by the old two-transaction scheme only (a request that crashed before completing it) and means nothing.
DELETE FROM "idempotency_keys" WHERE "state" = 'pending';
