"""Opening hours as minutes of the week in Asia/Shanghai (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

from merchant_svc.service_points.hours import is_open, minute_of_week, week_intervals

MONDAY_9_TO_6 = (1, "09:00", "18:00")


class TestWeekIntervals:
    def test_a_day_is_one_interval(self) -> None:
        assert week_intervals([MONDAY_9_TO_6]) == [(540, 1080)]

    def test_closing_at_or_before_opening_runs_past_midnight(self) -> None:
        assert week_intervals([(2, "20:00", "02:00")]) == [(1440 + 1200, 2880 + 120)]

    def test_sunday_night_past_midnight_wraps_to_monday_morning(self) -> None:
        assert week_intervals([(7, "22:00", "03:00")]) == [(0, 180), (6 * 1440 + 1320, 10080)]

    def test_all_day_every_day_is_the_whole_week(self) -> None:
        assert week_intervals([(d, "00:00", "24:00") for d in range(1, 8)]) == [(0, 10080)]


class TestOpenNow:
    def test_the_clock_is_shanghais(self) -> None:
        # 2026-12-07 is a Monday; 01:30 UTC is 09:30 in Shanghai, 10:30 UTC is 18:30.
        intervals = week_intervals([MONDAY_9_TO_6])

        assert minute_of_week(datetime(2026, 12, 7, 1, 30, tzinfo=UTC)) == 570
        assert is_open(intervals, datetime(2026, 12, 7, 1, 30, tzinfo=UTC))
        assert not is_open(intervals, datetime(2026, 12, 7, 10, 30, tzinfo=UTC))

    def test_closing_time_is_closed(self) -> None:
        assert not is_open(week_intervals([MONDAY_9_TO_6]), datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
