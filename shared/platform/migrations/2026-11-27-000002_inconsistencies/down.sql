DROP TABLE inconsistencies;
