"""Widgets shared by several screens: QR code, on-screen keyboard, language switch, idle
overlay, floor plan, icons and the common buttons and labels (styled in `widgets.kv`)."""
