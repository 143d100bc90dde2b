-- CreateIndex
CREATE INDEX CONCURRENTLY "Post_createdAt_idx" ON "Post"("createdAt");
