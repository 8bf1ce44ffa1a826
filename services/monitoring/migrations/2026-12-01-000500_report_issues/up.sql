-- Issued Rapporti di monitoraggio, frozen: the data each was made from (as the exact JSON text
-- that was hashed), the HTML and the PDF/A, each with its SHA-256. A correction is a new
-- version; earlier versions are never changed (expand-only: nothing else reads this table yet).
CREATE TABLE report_issues (
    id UUID PRIMARY KEY,
    semester TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    issued_on DATE NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL,
    issued_by TEXT NOT NULL,
    reason TEXT,
    data TEXT NOT NULL,
    data_sha256 TEXT NOT NULL,
    html TEXT NOT NULL,
    html_sha256 TEXT NOT NULL,
    pdf BYTEA NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    UNIQUE (semester, version)
);
