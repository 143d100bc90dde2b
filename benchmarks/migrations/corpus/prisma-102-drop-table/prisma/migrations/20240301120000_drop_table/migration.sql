-- DropTable
DROP TABLE "Session";
