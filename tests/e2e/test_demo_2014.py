"""The seed's 2014 Fuzhou world at 1 %, loaded only through the gateway, the merchant API and the policy
feed; the ops report (the gateway's ``GET /api/v1/reports/club``, composed from the services' own report
endpoints) shows the seed's two tables at that scale.

The platform is shared with the other e2e tests, so the report is taken before and after the load and the
difference is compared (the demo's reviewers leave other tests' applications alone)."""

from datetime import UTC, datetime, timedelta

import pytest
from cheyou_demo import Platform, report
from cheyou_demo.figures import SEED_MEMBERS_TOTAL, SEED_SERVICES_TOTAL, Figures
from cheyou_demo.world import load
from cheyou_kit.testing import eventually

SCALE = 0.01


def test_scaled_figures_round_each_count_and_add_up_the_totals() -> None:
    seed = Figures.seed()
    assert (seed.members_total, seed.services_total) == (SEED_MEMBERS_TOTAL, SEED_SERVICES_TOTAL)
    assert Figures.scaled(1) == seed
    one_percent = Figures.scaled(SCALE)
    # 143 × 0.01 = 1.43 → 1; 1,350 × 0.01 = 13.5 → 14 (half up); 46 × 0.01 = 0.46 → 0
    assert one_percent.members == {
        "five_star": 1, "four_star": 3, "three_star": 20, "ordinary": 181, "prospective": 32
    }  # fmt: skip
    assert one_percent.members_total == 237
    assert one_percent.services["car_wash"] == 14
    assert one_percent.services["after_drinking_driving"] == 0
    assert one_percent.services["fast_claims"] == 874
    assert one_percent.services["other_services"] == 35
    assert one_percent.participations == 26
    with pytest.raises(ValueError, match="scale"):
        Figures.scaled(0)


def test_the_comparison_puts_seed_expected_and_live_side_by_side() -> None:
    live = Figures.scaled(0.5)
    answer = {
        "members": {"name": "会员", "total": live.members_total, "rows": _rows(live.members)},
        "services": {"name": "可统计增值服务", "total": live.services_total, "rows": _rows(live.services)},
        "activity_participations": live.participations,
    }
    compared = report.Report(answer, chart_svg="<svg/>")
    assert compared.figures == live
    rows = report.to_csv(compared, Figures.scaled(0.5)).splitlines()
    assert rows[0] == "table,item,name,seed_2014,expected,live"
    assert "members,total,会员,23853,11928,11928" in rows
    assert "services,fast_claims,fast_claims,87404,43702,43702" in rows
    assert rows[-1] == "activities,participations,会员活动参与人次,2649,1325,1325"


def _rows(counts: dict[str, int]) -> list[dict[str, object]]:
    return [{"item": item, "name": item, "count": n} for item, n in counts.items()]


@pytest.mark.timeout(900)  # ~240 members and ~1,000 claims and orders through the API on a shared CI box
async def test_the_2014_world_at_one_percent_reports_the_seed_figures(cheyou: Platform) -> None:
    now = datetime.now(UTC)
    since, until = now - timedelta(days=1), now + timedelta(days=30)
    before = await report.collect(cheyou.gateway, since=since, until=until)

    loaded = await load(
        cheyou.gateway, cheyou.wechat, cheyou.holder_id_hash, sms_url=cheyou.sms, scale=SCALE, concurrency=8
    )
    assert [s.done for s in loaded.stages][1:] == [237, 237, 205, 57, 11, 26, 874]

    # The logins the README points a newcomer to: a member of each tier by SMS code, the merchant's key.
    logins = loaded.logins
    assert set(logins["members"]) == {"five_star", "four_star", "three_star", "ordinary", "prospective"}
    five_star = logins["members"]["five_star"]
    member = await cheyou.sign_in_phone(five_star["phone"])
    me = (await member.get("/me")).json()
    assert me["member_id"] == five_star["member_id"]
    assert me["profile"]["data"]["tier"] == "five_star"
    merchant = await cheyou.merchant(logins["merchant"]["api_key"])
    assert (await merchant.get("/merchant-api/orders")).status_code == 200

    expected = Figures.scaled(SCALE)
    seen: list[Figures] = []

    async def added() -> Figures | None:
        after = await report.collect(cheyou.gateway, since=since, until=until)
        seen.append(after.figures.minus(before.figures))
        return seen[-1] if seen[-1] == expected else None

    try:
        await eventually(added, within=120)
    except TimeoutError:
        pass
    assert seen[-1] == expected

    # The chart the API draws has a bar per row of both tables and one for the participations.
    after = await report.collect(cheyou.gateway, since=since, until=until)
    assert after.chart_svg.startswith("<svg")
    assert after.chart_svg.count("<rect ") == 1 + 5 + 7 + 1
