SET lock_timeout = '2s';
ALTER TABLE members RENAME COLUMN nickname TO display_name;
CREATE INDEX members_display_name_idx ON members (display_name);
ALTER TABLE members ALTER COLUMN display_name SET NOT NULL;
