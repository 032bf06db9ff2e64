"""The wire contract shared by kiosk and server (`protocol`), and content bundles on disk (`bundle`)."""
