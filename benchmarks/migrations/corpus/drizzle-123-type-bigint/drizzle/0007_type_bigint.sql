SET lock_timeout = '2s';--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "id" SET DATA TYPE bigint;
