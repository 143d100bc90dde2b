-- AlterTable
ALTER TABLE "Post" ADD COLUMN     "summary" TEXT;
