-- An activity's dates as the seed writes them ("Svolta nell'anno 2003", "01.2004 a 02.2005"), kept when they are not a date range.
ALTER TABLE activities ADD COLUMN dates_as_written TEXT;
