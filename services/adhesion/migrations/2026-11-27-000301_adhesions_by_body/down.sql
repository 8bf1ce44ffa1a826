DROP INDEX adhesions_ente_dates;
