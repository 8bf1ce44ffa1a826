DROP TABLE movements;
