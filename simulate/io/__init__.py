"""Files and resources: YAML reading with limits, atomic writes, disk and memory checks,
and where the shipped configs and scenarios are."""
