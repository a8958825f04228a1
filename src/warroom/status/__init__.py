"""The public status page: components, public incidents, maintenances, subscribers and Statuspage's v2 JSON."""
