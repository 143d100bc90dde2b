SELECT set_config('lock_timeout', '2s', false);
CREATE INDEX events_user_id_idx ON events (user_id);
