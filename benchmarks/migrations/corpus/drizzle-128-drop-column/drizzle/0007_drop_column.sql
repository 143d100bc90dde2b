SET lock_timeout = '2s';--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN IF EXISTS "legacy_role";
