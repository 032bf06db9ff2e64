"""The mall at the bottom of the server: the mall, its time zone and hours, its staff, and the one
mall boundary (which malls a request may see and which one it works on)."""
