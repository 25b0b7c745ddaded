"""Open311 GeoReport v2 for the reports domain: service.py maps reports to the standard,
formats.py renders XML and JSON, routes.py serves them under /open311/v2."""
