SET lock_timeout = '2s';
-- AlterTable
ALTER TABLE "Team" ADD CONSTRAINT "Team_slug_key" UNIQUE ("slug");
