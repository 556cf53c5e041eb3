CREATE TYPE "public"."destination_credential_kind" AS ENUM('basic', 'header');--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "content" jsonb;--> statement-breakpoint
ALTER TABLE "automation_destinations" ADD COLUMN "new_secret_confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "automation_destinations" ADD COLUMN "credential_kind" "destination_credential_kind";--> statement-breakpoint
ALTER TABLE "automation_destinations" ADD COLUMN "credential_name" text;--> statement-breakpoint
ALTER TABLE "automation_destinations" ADD COLUMN "credential_encrypted" text;--> statement-breakpoint
ALTER TABLE "automation_destinations" ADD COLUMN "credential_masked" text;--> statement-breakpoint
ALTER TABLE "automation_destinations" ADD CONSTRAINT "automation_destinations_credential_complete" CHECK (("automation_destinations"."credential_kind" is null and "automation_destinations"."credential_name" is null and "automation_destinations"."credential_encrypted" is null and "automation_destinations"."credential_masked" is null) or ("automation_destinations"."credential_kind" is not null and "automation_destinations"."credential_name" is not null and "automation_destinations"."credential_encrypted" is not null and "automation_destinations"."credential_masked" is not null));