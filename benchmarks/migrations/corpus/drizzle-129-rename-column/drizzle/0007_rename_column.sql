SET lock_timeout = '2s';--> statement-breakpoint
ALTER TABLE "users" RENAME COLUMN "name" TO "full_name";
