DROP INDEX "conversations_tenant_assignee_idx";--> statement-breakpoint
DROP INDEX "messages_body_trgm_idx";--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "search_text" text GENERATED ALWAYS AS (alfred_unaccent(coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'))) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('alfred_search'::regconfig, coalesce(body, ''))) STORED;--> statement-breakpoint
CREATE INDEX "contacts_search_text_trgm_idx" ON "contacts" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "conversations_tenant_assignee_status_activity_idx" ON "conversations" USING btree ("tenant_id","assignee_id","status","last_activity_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "conversations"."assignee_id" is not null;--> statement-breakpoint
CREATE INDEX "conversations_tenant_unassigned_status_activity_idx" ON "conversations" USING btree ("tenant_id","status","last_activity_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "conversations"."assignee_id" is null;--> statement-breakpoint
CREATE INDEX "conversations_tenant_channel_status_activity_idx" ON "conversations" USING btree ("tenant_id","channel_id","status","last_activity_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "messages_search_vector_idx" ON "messages" USING gin ("search_vector");