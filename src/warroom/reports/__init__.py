"""Reports: incident metrics (MTTD, MTTA, MTTM, MTTR, counts, follow-ups, on-call load), the incident log,
Prometheus observations and on-call pay."""
