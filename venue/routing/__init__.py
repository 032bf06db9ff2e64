"""Wayfinding, one concept a module; import from the module, this package exports nothing.

`graph` (the path graph per route profile, shortest-path trees), `route` (places, legs, direction
cards), `router` (routes between places, closures, the nearest facility; one router per content),
`directions` (which way to set off and turn), `wording` (all of it in the visitor's language) and
`checks` (what publish validation says about reachability). No Kivy, no Django.
"""
