ALTER TABLE "automation_events" ADD COLUMN "traceparent" text;--> statement-breakpoint
ALTER TABLE "inbound_receipts" ADD COLUMN "traceparent" text;