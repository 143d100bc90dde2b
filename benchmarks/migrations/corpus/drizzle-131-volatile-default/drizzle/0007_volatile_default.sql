SET lock_timeout = '2s';--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "ref" uuid DEFAULT gen_random_uuid() NOT NULL;
