"""Chat doors: Slack and Mattermost slash commands, Slack buttons. They only translate into service calls."""
