"""The public pages, by family: home (the dashboard), proposals (the list and a
proposal), records (delegates, companies, topics, sessions), trends (the explorer and
the numbers behind every chart)."""
