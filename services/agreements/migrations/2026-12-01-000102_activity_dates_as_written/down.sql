ALTER TABLE activities DROP COLUMN dates_as_written;
