CREATE TYPE "public"."inbound_receipt_status" AS ENUM('pending', 'processed', 'parked');--> statement-breakpoint
CREATE TABLE "inbound_receipts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "inbound_receipts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"channel_type" "channel_type" NOT NULL,
	"dedupe_key" text NOT NULL,
	"body_sha256" text NOT NULL,
	"ordering_key" text NOT NULL,
	"lane" smallint NOT NULL,
	"content_type" text,
	"body" "bytea" NOT NULL,
	"correlation_id" text,
	"status" "inbound_receipt_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"result" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "inbound_webhook_tokens" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "inbound_webhook_tokens" CASCADE;--> statement-breakpoint
DROP INDEX "automation_deliveries_due_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "receipt_id" bigint;--> statement-breakpoint
ALTER TABLE "automation_deliveries" ADD COLUMN "locked_by" text;--> statement-breakpoint
ALTER TABLE "automation_deliveries" ADD COLUMN "next_trigger" "delivery_attempt_trigger" DEFAULT 'scheduled' NOT NULL;--> statement-breakpoint
ALTER TABLE "automation_delivery_attempts" ADD COLUMN "retry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inbound_receipts" ADD CONSTRAINT "inbound_receipts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_receipts" ADD CONSTRAINT "inbound_receipts_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_receipts_dedupe_key" ON "inbound_receipts" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "inbound_receipts_pending_lane_idx" ON "inbound_receipts" USING btree ("lane","id") WHERE "inbound_receipts"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "inbound_receipts_pending_sender_idx" ON "inbound_receipts" USING btree ("lane","ordering_key","id") WHERE "inbound_receipts"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "inbound_receipts_tenant_status_idx" ON "inbound_receipts" USING btree ("tenant_id","status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "inbound_receipts_received_idx" ON "inbound_receipts" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "automation_deliveries_leased_idx" ON "automation_deliveries" USING btree ("locked_until") WHERE "automation_deliveries"."status" = 'delivering';--> statement-breakpoint
CREATE INDEX "automation_deliveries_due_idx" ON "automation_deliveries" USING btree ("next_retry_at") WHERE "automation_deliveries"."status" = 'pending';