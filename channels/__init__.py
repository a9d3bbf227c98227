"""Input channels of the Imuran leaflet assistant."""
