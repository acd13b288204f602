"""Code the Rasa server loads: thin subclasses of Rasa's built-in connectors, the credentials generator
and the lock store (lock_store.py)."""
