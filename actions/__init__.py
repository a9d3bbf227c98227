"""Custom actions of the Imuran leaflet assistant (run by the rasa-sdk action server)."""
