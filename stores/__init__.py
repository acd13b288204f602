"""The stores Rasa loads from endpoints.yml: the tracker store, the lock store and the event broker."""
