"""Custom Rasa NLU components of the Imuran leaflet assistant."""
