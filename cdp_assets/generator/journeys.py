"""A person's journey: which channels they touch, when, and at which stage of buying."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cdp_assets.generator.people import Person

# Thousands of records per source in the case study; the generator keeps these proportions.
SOURCE_VOLUMES = {
    "99acres": 800,
    "magicbricks": 420,
    "housing": 310,
    "website": 180,
    "facebook": 210,
    "google_ads": 95,
    "whatsapp": 105,
    "freshdesk": 140,
    "walk_in": 55,
    "referral": 80,
    "mailchimp": 75,
    "legacy_crm": 830,
}
SOURCE_NAMES = tuple(SOURCE_VOLUMES)

# Many people leave one lead, some leave two to six.
TOUCH_COUNT_WEIGHTS = {1: 55, 2: 20, 3: 12, 4: 7, 5: 4, 6: 2}
MEAN_TOUCHES = sum(count * weight for count, weight in TOUCH_COUNT_WEIGHTS.items()) / sum(
    TOUCH_COUNT_WEIGHTS.values()
)

STAGES = ("enquiry", "call", "site_visit_scheduled", "pricing_discussed", "site_visit_done")

# Channels where buyers arrive come first in a journey, the site office last.
_SOURCE_PHASE = {"freshdesk": 1, "mailchimp": 1, "walk_in": 2}

OPT_OUT_SOURCES = frozenset(
    {"99acres", "magicbricks", "website", "whatsapp", "freshdesk", "mailchimp", "legacy_crm"}
)
RE_CONSENT_SOURCES = frozenset({"website", "whatsapp", "mailchimp"})

MAX_JOURNEY_DAYS = 120


@dataclass(slots=True)
class Touch:
    """One record a person leaves in one source at one moment (India time, naive)."""

    person: Person
    source: str
    day: int
    moment: datetime
    stage: str
    consent: str | None = None


def _expanded(weights: dict) -> tuple:
    return tuple(key for key, weight in weights.items() for _ in range(weight))


_TOUCH_COUNTS = _expanded(TOUCH_COUNT_WEIGHTS)
_SOURCE_WHEEL = _expanded({name: volume // 5 for name, volume in SOURCE_VOLUMES.items()})


class JourneyPlanner:
    """Plans each person's touches over the generated days."""

    def __init__(self, rng: random.Random, start: date, days: int) -> None:
        self._rng = rng
        self._start = datetime(start.year, start.month, start.day)
        self._days = days
        self._touches_planned = 0

    def plan(self, person: Person, first_day: int) -> list[Touch]:
        """The person's touches in time order, none before `first_day`."""
        rng = self._rng
        sources = [self._next_source() for _ in range(rng.choice(_TOUCH_COUNTS))]
        sources.sort(key=lambda source: _SOURCE_PHASE.get(source, 0))

        touches = []
        day = first_day
        second = rng.randrange(8 * 3600, 22 * 3600)
        for position, source in enumerate(sources):
            if position:
                day, second = self._later(day, second)
            stage_index = min(position + (rng.random() < 0.2), len(STAGES) - 1)
            moment = self._start + timedelta(days=day, seconds=second)
            touches.append(Touch(person, source, day, moment, STAGES[stage_index]))

        self._plan_consent(touches)
        return touches

    def _next_source(self) -> str:
        # The first touches of a run cycle through every source so even a tiny landing
        # zone exercises every parser.
        planned = self._touches_planned
        self._touches_planned += 1
        if planned < len(SOURCE_NAMES):
            return SOURCE_NAMES[planned]
        return self._rng.choice(_SOURCE_WHEEL)

    def _later(self, day: int, second: int) -> tuple[int, int]:
        gap = min(int(self._rng.expovariate(1 / 12)), MAX_JOURNEY_DAYS // 6)
        next_day = min(day + gap, self._days - 1)
        if next_day > day:
            return next_day, self._rng.randrange(8 * 3600, 22 * 3600)
        # Same day, a little later: at most six touches a person keeps this before midnight.
        return day, second + 1 + self._rng.randrange(600)

    def _plan_consent(self, touches: list[Touch]) -> None:
        rng = self._rng
        if rng.random() >= 0.05:
            return
        candidates = [i for i, touch in enumerate(touches) if touch.source in OPT_OUT_SOURCES]
        if not candidates:
            return
        opted_out = rng.choice(candidates)
        touches[opted_out].consent = "opt_out"
        later = [
            touch
            for touch in touches[opted_out + 1 :]
            if touch.source in RE_CONSENT_SOURCES and touch.consent is None
        ]
        if later and rng.random() < 0.4:
            rng.choice(later).consent = "re_consent"
