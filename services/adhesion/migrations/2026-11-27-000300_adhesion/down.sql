DROP TABLE adhesion_events;
DROP TABLE adhesions;
DROP TABLE aggregation_members;
DROP TABLE enti;
