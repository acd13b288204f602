"""Launchers: local servers, the production topology on one machine, its nginx configuration, the credentials."""
