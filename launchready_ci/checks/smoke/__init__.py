"""Post-deploy smoke tests: member journeys of HTTP steps against a live release."""
