"""Vietnamese language understanding: normalisation, segmentation, entities.

The Rasa components in this package run inside the Rasa server (its own venv);
the pure-Python helpers (text, entities, gazetteer) are shared with the app.
"""
