DROP INDEX users_old_email_idx;
