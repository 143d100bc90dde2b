SET lock_timeout = '2s';
-- AlterTable
ALTER TABLE "User" ADD COLUMN     "image" TEXT;
