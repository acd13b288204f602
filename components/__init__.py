"""Custom Rasa NLU graph components, loaded by config.yml's pipeline by module path (components.<module>.<Class>)."""
