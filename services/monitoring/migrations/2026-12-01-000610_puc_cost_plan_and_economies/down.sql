DROP TABLE economies;
DROP TABLE cost_plan_years;
