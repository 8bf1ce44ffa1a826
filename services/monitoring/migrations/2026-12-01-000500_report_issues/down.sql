DROP TABLE report_issues;
