"""Channels, the conversation gateway, the web app and the Rasa custom actions."""
