SET lock_timeout = '2s';
-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "publicId" UUID NOT NULL DEFAULT gen_random_uuid();
