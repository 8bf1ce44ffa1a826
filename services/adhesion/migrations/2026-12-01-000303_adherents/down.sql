DROP TABLE adherents;
DROP TABLE declared_adherents;
