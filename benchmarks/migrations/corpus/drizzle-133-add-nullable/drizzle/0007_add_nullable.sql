SET lock_timeout = '2s';--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar" text;
