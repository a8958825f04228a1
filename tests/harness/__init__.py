"""The shared test harness: databases, the in-process app on a manual clock, and log expectations."""
