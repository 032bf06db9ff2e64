"""How a store's hours and open state read, in the visitor's language, without Kivy: the
kiosk's store page and the phone store page (server/directory) say the same words, from the
same catalogs (`tr` is a gettext function of venue.i18n's catalog, or of the kiosk's chain that includes it)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from babel.dates import get_day_names

from sync.protocol import Store, TimeRange
from venue.index import ContentIndex
from venue.languages import BABEL_LOCALES

Translate = Callable[[str], str]



def weekday_names(language: str) -> dict[int, str]:
    """Short weekday names, Monday = 0 (周一 / Mon / 週一)."""
    return dict(get_day_names("abbreviated", locale=BABEL_LOCALES.get(language, language)))


def describe_weekdays(weekdays: list[int], language: str, tr: Translate) -> str:
    days = sorted(set(weekdays))
    if days == list(range(7)):
        return tr("Every day")
    names = weekday_names(language)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return tr("{first}–{last}").format(first=names[days[0]], last=names[days[-1]])
    return tr(", ").join(names[day] for day in days)


def describe_hours(hours: list[TimeRange], language: str, tr: Translate) -> str:
    """One line per opening range: "Mon–Fri 10:00–22:00"."""
    return "\n".join(f"{describe_weekdays(r.weekdays, language, tr)}  {r.open}–{r.close}" for r in hours)


def clock_text(index: ContentIndex, moment: datetime, now: datetime) -> str:
    """"22:00" in the mall's time; a closing at midnight after today reads "24:00"."""
    local = index.local_time(moment)
    if local.hour == 0 and local.minute == 0 and local.date() != index.local_time(now).date():
        return "24:00"
    return local.strftime("%H:%M")


def open_status(index: ContentIndex, store: Store | None, now: datetime, language: str,
                tr: Translate) -> tuple[bool, str]:
    """(open now?, "Open now · closes at 22:00" / "Closed now · opens tomorrow at 10:00")."""
    if index.is_open(store, now):
        closes = index.closes_at(store, now)
        if closes is None:
            return True, tr("Open now")
        return True, tr("Open now · closes at {time}").format(time=clock_text(index, closes, now))
    opens = index.opens_at(store, now)
    if opens is None:
        return False, tr("Closed now")
    today = index.local_time(now).date()
    opens_local = index.local_time(opens)
    time_text = opens_local.strftime("%H:%M")
    if opens_local.date() == today:
        return False, tr("Closed now · opens at {time}").format(time=time_text)
    if opens_local.date() == today + timedelta(days=1):
        return False, tr("Closed now · opens tomorrow at {time}").format(time=time_text)
    day = weekday_names(language)[opens_local.weekday()]
    return False, tr("Closed now · opens {day} at {time}").format(day=day, time=time_text)
