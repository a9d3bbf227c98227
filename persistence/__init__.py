"""Conversation storage: the tracker store the assistant runs with."""
