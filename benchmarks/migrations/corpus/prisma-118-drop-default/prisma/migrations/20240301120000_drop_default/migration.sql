SET lock_timeout = '2s';
-- AlterTable
ALTER TABLE "Post" ALTER COLUMN "published" DROP DEFAULT;
