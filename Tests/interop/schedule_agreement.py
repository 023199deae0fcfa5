"""Celery's own answers for random schedules, as the fixture CeleriacCore's schedule math is
checked against (Tests/CeleriacCoreTests/Schedules/ScheduleAgreementTests.swift).

For seeded random crontab, interval and solar schedules and instants it asks the installed
celery (and ephem, for solar) when each fires next, the way Celery's beat does:
  crontab  `crontab(...).remaining_delta(after, tz=zone)`: the first slot after `after`,
           evaluated in the row's zone as django-celery-beat's TzAwareCrontab does;
  interval `schedule(timedelta).is_due(last_run_at)` at `now`: due now, or in `next` seconds;
  solar    `solar(event, lat, lon).remaining_estimate(after)`: the next event after `after`.

  python Tests/interop/schedule_agreement.py --write FIXTURE   regenerate the fixture
  python Tests/interop/schedule_agreement.py --check FIXTURE   fail if Celery now disagrees
Run with the interop venv: "$(scripts/venv.sh)/bin/python" ...
"""

import argparse
import json
import math
import random
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import celery
import ephem
from celery import Celery
from celery.schedules import crontab, schedule, solar

SEED = 20251124
ZONES = ["Asia/Seoul", "Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"]
# Days with a DST change (local dates), so instants cluster around them too.
TRANSITIONS = {
    "Europe/Berlin": ["2025-03-30", "2025-10-26", "2026-03-29", "2026-10-25"],
    "America/New_York": ["2025-03-09", "2025-11-02", "2026-03-08", "2026-11-01"],
    "Australia/Lord_Howe": ["2025-04-06", "2025-10-05"],
}
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = 7 * 365 * 86400
DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

app = Celery(set_as_current=False)
app.conf.timezone = "UTC"


def field(rng, low, high, names=None, star_weight=4):
    """One crontab field in Celery's syntax, from `*` to lists of stepped ranges."""
    kind = rng.choices(
        ["star", "step", "one", "range", "range_step", "list", "name", "wrap"],
        weights=[star_weight, 2, 3, 2, 1, 2, 1 if names else 0, 1 if names else 0],
    )[0]
    def value():
        return rng.randint(low, high)
    if kind == "star":
        return "*"
    if kind == "step":
        return f"*/{rng.randint(1, max(1, (high - low + 1) // 2))}"
    if kind == "one":
        return str(value())
    if kind == "range":
        a, b = sorted((value(), value()))
        return f"{a}-{b}"
    if kind == "range_step":
        a, b = sorted((value(), value()))
        return f"{a}-{b}/{rng.randint(1, 5)}"
    if kind == "list":
        return ",".join(str(v) for v in sorted(rng.sample(range(low, high + 1), rng.randint(2, 4))))
    if kind == "name":
        return rng.choice(names) if rng.random() < 0.5 else f"{rng.choice(names)}-{rng.choice(names)}"
    a, b = sorted(rng.sample(range(low, high + 1), 2))
    return f"{names[b - low]}-{names[a - low]}"  # wraps around, e.g. fri-mon


def instant(rng, zone):
    if zone in TRANSITIONS and rng.random() < 0.35:
        day = datetime.fromisoformat(rng.choice(TRANSITIONS[zone])).replace(tzinfo=ZoneInfo(zone))
        return (day + timedelta(seconds=rng.uniform(-36 * 3600, 36 * 3600))).astimezone(timezone.utc)
    return START + timedelta(seconds=rng.uniform(0, SPAN_SECONDS))


def unix(dt):
    return round(dt.timestamp(), 6)


def shifts(wall, zone):
    """Whether a local wall time is skipped or repeated by a DST change (fold 0 and 1 differ)."""
    a = wall.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    b = wall.replace(tzinfo=zone, fold=1).astimezone(timezone.utc)
    return a != b


def crontab_cases(rng, count):
    cases = []
    while len(cases) < count:
        zone_name = rng.choice(ZONES)
        zone = ZoneInfo(zone_name)
        fields = {
            "minute": field(rng, 0, 59, star_weight=1),
            "hour": field(rng, 0, 23, star_weight=3),
            "day_of_week": field(rng, 0, 6, DAY_NAMES, star_weight=6),
            "day_of_month": field(rng, 1, 31, star_weight=8),
            "month_of_year": field(rng, 1, 12, MONTH_NAMES, star_weight=8),
        }
        after = instant(rng, zone_name)
        try:
            schedule_ = crontab(app=app, nowfun=lambda: after, **fields)
        except ValueError:
            continue  # e.g. day 31 of February only: Celery refuses it too (tested apart)
        start, delta, _ = schedule_.remaining_delta(after, tz=zone)
        fire = start + delta
        # Celery reads a skipped or repeated wall time with the instant's fold; DESIGN §8 has
        # its own rule there, so such cases are marked and checked against that rule instead.
        edge = shifts(fire.replace(tzinfo=None), zone) or shifts(after.astimezone(zone).replace(tzinfo=None), zone)
        cases.append({**fields, "timezone": zone_name, "after": unix(after),
                      "next": unix(fire.astimezone(timezone.utc)), "dst_edge": edge})
    return cases


PERIODS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "microseconds": 1e-6}


def interval_cases(rng, count):
    cases = []
    for _ in range(count):
        period = rng.choice(list(PERIODS))
        every = rng.randint(1, 1000)
        last_run_at = START + timedelta(seconds=rng.uniform(0, SPAN_SECONDS))
        span = every * PERIODS[period]
        now = last_run_at + timedelta(seconds=rng.uniform(-0.1 * span, 2 * span))
        due, remaining = schedule(timedelta(**{period: every}), app=app, nowfun=lambda: now).is_due(last_run_at)
        cases.append({"every": every, "period": period, "last_run_at": unix(last_run_at), "now": unix(now),
                      "next": unix(now) if due else unix(now + timedelta(seconds=remaining))})
    return cases


def solar_cases(rng, count):
    cases = []
    events = sorted(solar._all_events)
    for index in range(count):
        # Mostly where the Sun rises and sets every day; a few polar ones.
        limit = 80 if index % 10 == 0 else 62
        lat = round(rng.uniform(-limit, limit), 6)
        lon = round(rng.uniform(-180, 180), 6)
        event = rng.choice(events)
        after = START + timedelta(seconds=rng.uniform(0, SPAN_SECONDS))
        sun = solar(event, lat, lon, app=app, nowfun=lambda: after)
        fire = after + sun.remaining_estimate(after)
        cases.append({"event": event, "latitude": lat, "longitude": lon, "after": unix(after),
                      "next": unix(fire) if happens(sun, fire) else None})
    return cases


def happens(sun, fire):
    """Celery returns where its search stopped when the event never came: tell that apart."""
    if sun.event == "solar_noon":
        return True
    observer = sun.cal.copy()
    observer.date = ephem.Date(fire.astimezone(timezone.utc).replace(tzinfo=None))
    body = ephem.Sun(observer)
    horizon = float(observer.horizon) - (0 if sun.use_center else body.radius)
    return abs(body.alt - horizon) < math.radians(0.01)


def generate():
    rng = random.Random(SEED)
    return {
        "generator": "Tests/interop/schedule_agreement.py",
        "celery": celery.__version__,
        "ephem": ephem.__version__,
        "crontab": crontab_cases(rng, 400),
        "interval": interval_cases(rng, 100),
        "solar": solar_cases(rng, 200),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="FIXTURE")
    mode.add_argument("--check", metavar="FIXTURE")
    args = parser.parse_args()
    text = json.dumps(generate(), indent=1) + "\n"
    if args.write:
        with open(args.write, "w") as out:
            out.write(text)
        return 0
    with open(args.check) as committed:
        if committed.read() != text:
            print(f"{args.check} differs from what this celery/ephem compute; regenerate with --write"
                  " and look at the diff", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
