DROP TABLE budget;
DROP TABLE service_versions;
DROP TABLE services;
