"""The demo: seeds the demo mall, its staff logins and a kiosk enrollment code.

The top of the server's apps: it drives accounts, content and fleet, and no app imports it
(core, which every app uses, stays below them all)."""
