DROP TABLE puc_transmission_records;
DROP TABLE puc_transmissions;
