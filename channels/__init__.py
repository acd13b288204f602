"""The channels the Rasa server loads: thin subclasses of Rasa's built-in connectors, and the Rasa server's
settings (settings.py, also read by stores/, patches/ and components/)."""
