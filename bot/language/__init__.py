"""Words for people: catalogues, dates and times, choices, accessibility rules, speech."""
