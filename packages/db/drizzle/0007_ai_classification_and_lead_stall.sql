ALTER TABLE "ai_events" ALTER COLUMN "latency_ms" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "lead_stall_days" integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_events" ADD COLUMN "purpose" text NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_events" ADD COLUMN "input_chars" integer NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_events" ADD COLUMN "outcome" text NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_events" ADD COLUMN "error_kind" text;--> statement-breakpoint
CREATE INDEX "ai_events_message_idx" ON "ai_events" USING btree ("message_id") WHERE "ai_events"."message_id" is not null;--> statement-breakpoint
ALTER TABLE "ai_events" DROP COLUMN "kind";--> statement-breakpoint
ALTER TABLE "ai_events" DROP COLUMN "input";--> statement-breakpoint
ALTER TABLE "ai_events" DROP COLUMN "output";--> statement-breakpoint
ALTER TABLE "ai_events" DROP COLUMN "error";