CREATE INDEX IF NOT EXISTS "users_email_idx" ON "users" USING btree ("email");
