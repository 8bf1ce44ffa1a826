-- Run once by the postgres:15 image on an empty data directory
-- (mounted into /docker-entrypoint-initdb.d/). One database per service; no service reads
-- another's tables. Migrations run when each service starts.
CREATE DATABASE apq_agreements;
CREATE DATABASE apq_catalogue;
CREATE DATABASE apq_adhesion;
CREATE DATABASE apq_monitoring;
