"""How a report changes, one unit of work each: filing, transitions, relays, the watches."""
