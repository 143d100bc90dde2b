CREATE INDEX CONCURRENTLY IF NOT EXISTS "posts_created_idx" ON "posts" USING btree ("created_at");
