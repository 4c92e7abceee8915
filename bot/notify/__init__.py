"""What a change tells people, written as outbox rows: notices, staff cards, agency pushes."""
