"""Custom actions of the Công dân số chatbot (rasa-sdk), answering from the API's live data.

Run from chatbot/: `rasa run actions --actions actions`. Every module of this package is
imported by the action server, and every concrete `Action` subclass in it is served.
"""
