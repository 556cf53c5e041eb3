CREATE TYPE "public"."conversation_priority" AS ENUM('low', 'normal', 'high', 'urgent');--> statement-breakpoint
CREATE TABLE "rule_executions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"rule_id" uuid,
	"flow_id" uuid,
	"step" integer,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"version" integer NOT NULL,
	"matched" boolean NOT NULL,
	"skipped" text,
	"conditions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"actions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"chain_depth" integer DEFAULT 0 NOT NULL,
	"root_event_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rules" ALTER COLUMN "compiled" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "priority" "conversation_priority" DEFAULT 'normal' NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "labels" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "origin" jsonb;--> statement-breakpoint
ALTER TABLE "automation_events" ADD COLUMN "origin" jsonb;--> statement-breakpoint
ALTER TABLE "automation_events" ADD COLUMN "rules_done_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "automation_events" ADD COLUMN "rules_locked_until" timestamp with time zone;--> statement-breakpoint
-- Events recorded before the rule engine existed have no rules to run.
UPDATE "automation_events" SET "rules_done_at" = "created_at";--> statement-breakpoint
ALTER TABLE "flows" ADD COLUMN "compiled" jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "flows" ADD COLUMN "created_by_user_id" uuid;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "created_by_user_id" uuid;--> statement-breakpoint
ALTER TABLE "rule_executions" ADD CONSTRAINT "rule_executions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_executions" ADD CONSTRAINT "rule_executions_rule_id_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_executions" ADD CONSTRAINT "rule_executions_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_executions" ADD CONSTRAINT "rule_executions_event_id_automation_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."automation_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "rule_executions_rule_event_key" ON "rule_executions" USING btree ("rule_id","event_id") WHERE "rule_executions"."rule_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "rule_executions_flow_event_step_key" ON "rule_executions" USING btree ("flow_id","event_id",coalesce("step", -1)) WHERE "rule_executions"."flow_id" is not null;--> statement-breakpoint
CREATE INDEX "rule_executions_tenant_created_idx" ON "rule_executions" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "rule_executions_rule_created_idx" ON "rule_executions" USING btree ("rule_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "rule_executions_flow_created_idx" ON "rule_executions" USING btree ("flow_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "rule_executions_event_idx" ON "rule_executions" USING btree ("event_id");--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rules" ADD CONSTRAINT "rules_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "automation_events_rules_due_idx" ON "automation_events" USING btree ("created_at") WHERE "automation_events"."rules_done_at" is null;