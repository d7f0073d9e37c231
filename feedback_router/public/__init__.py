"""What anyone may see without logging in: a report's status page, the public map and list of
reports (approximate place, masked text), and the rating statistics the dashboard shows."""
