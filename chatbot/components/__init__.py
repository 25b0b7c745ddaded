"""Rasa graph components for Vietnamese (run Rasa from chatbot/ so `components` is importable)."""
