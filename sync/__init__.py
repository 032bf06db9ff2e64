"""The wire contract shared by kiosk and server (`protocol`), content bundles on disk (`bundle`)
and the file modes both give their data (`private_files`)."""
