"""Rasa-server-side channel code: thin subclasses of Rasa's built-in connectors and the credentials generator."""
