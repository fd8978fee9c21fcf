"""The study tools: running, comparing, sweeping, calibrating and validating the model
(experiment files, executors, results folders, reports). Nothing in the model imports them."""
