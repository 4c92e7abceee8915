"""HTTP APIs beside the bot: the agencies' API, Open311 GeoReport v2, and agency pushes."""
