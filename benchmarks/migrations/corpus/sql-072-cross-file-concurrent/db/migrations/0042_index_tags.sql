CREATE INDEX CONCURRENTLY tags_name_idx ON tags (name);
