"""Platform pieces shared by every app: health checks, JSON errors, `serve` and `demo`."""
