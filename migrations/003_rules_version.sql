-- The rule set's version beside the model's. model_version keeps its meaning (the model's version, or the rule
-- set's when no model scored), so an alert raised by a model and rules together now records both: after a hot
-- reload of either, an analyst can tell which rules took part. Null for alerts without rules and for rows written
-- before this script.
ALTER TABLE fraud_alerts ADD COLUMN IF NOT EXISTS rules_version text;
