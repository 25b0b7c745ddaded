"""Administrative units after the 1 July 2025 reform (provinces, wards), with former names."""
