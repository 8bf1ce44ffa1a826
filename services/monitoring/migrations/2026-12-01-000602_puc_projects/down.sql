DROP TABLE soggetti;
DROP TABLE puc_projects;
DROP SEQUENCE puc_local_code_seq;
