SET lock_timeout = '2s';
-- AlterTable
ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;
