DROP INDEX adhesions_service_version;
DROP TRIGGER enti_figures_truncate ON enti;
DROP TRIGGER enti_figures ON enti;
DROP TRIGGER adhesions_figures_truncate ON adhesions;
DROP TRIGGER adhesions_figures ON adhesions;
DROP FUNCTION figures_data_changed();
DROP TABLE figures_summaries;
DROP TABLE figures_generation;
