"""The kiosk fleet: enrollment with one-time codes, device keys, heartbeats."""
