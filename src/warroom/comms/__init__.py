"""Stakeholder communication: templates rendered with the incident, sent to audiences, kept on cadence."""
