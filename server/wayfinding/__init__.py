"""Wayfinding on the server: the phone route page, connector closures, the map check, and the
IMDF importer. Routes themselves come from `venue.routing`, the same code the kiosks run."""
