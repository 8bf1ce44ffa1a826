-- Where the seed disagrees with itself: both values with their line references.
CREATE TABLE inconsistencies (
    id          UUID PRIMARY KEY,
    subject     TEXT NOT NULL,
    description TEXT NOT NULL,
    value_a     TEXT NOT NULL,
    ref_a       TEXT NOT NULL,
    value_b     TEXT NOT NULL,
    ref_b       TEXT NOT NULL,
    UNIQUE (subject, ref_a, ref_b)
);
