-- The figures now count by province too: summaries kept before that are counted again on demand.
DELETE FROM figures_summaries;
