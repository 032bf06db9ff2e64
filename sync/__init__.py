"""The wire contract shared by kiosk and server, and the kiosk-side sync agent."""
