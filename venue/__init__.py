"""The mall as data: pure Python shared by the kiosk and the server (no Kivy, no Django).

Content lookups (`index`), search (`search`), routing (`routing`), promotion schedules
(`schedule`), opening hours in words (`hours`), the language table (`languages`), the public
paths handed to phones (`paths`) and the catalogs of the words both sides show (`i18n`).
"""
