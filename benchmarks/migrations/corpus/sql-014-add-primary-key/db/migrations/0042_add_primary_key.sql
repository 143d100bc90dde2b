SET lock_timeout = '2s';
ALTER TABLE legacy_events ADD PRIMARY KEY (id);
