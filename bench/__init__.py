"""`make bench`: ours against a stock Rasa 3.6.21 assistant on the same data, side by side."""
