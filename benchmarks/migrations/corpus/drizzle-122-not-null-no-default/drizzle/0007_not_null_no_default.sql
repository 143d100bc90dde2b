SET lock_timeout = '2s';--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "org_id" integer NOT NULL;
