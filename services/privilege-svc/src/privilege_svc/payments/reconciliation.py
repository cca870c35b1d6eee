"""The daily reconciliation: WeChat Pay's trade bill (payments, by success time) and refund bill (refunds,
by the time WeChat Pay accepted them) for one day in Asia/Shanghai, matched line by line with our
payments and refunds of that day. Each difference — ``missing_ours`` (the bill has it, we do not),
``missing_theirs`` (we have it, the bill does not), ``amount_mismatch`` — is stored with the day's run and
alerted (``cheyou_payment_alerts_total{alert="reconciliation_difference"}`` and an ERROR log line).

The bill's format: a header row, one row per line with every value after a backtick (so spreadsheets do
not mangle long numbers), amounts in yuan with two decimals; then a summary header (``总交易单数``…) and
row. Columns are found by their header, as WeChat Pay advises (their order may change).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.payments import repository
from privilege_svc.payments.errors import BillDateInFuture, BillUnavailable
from privilege_svc.payments.models import Reconciliation, ReconciliationDifference
from privilege_svc.payments.service import alert
from privilege_svc.payments.wechatpay import WechatPay, WechatPayError

CHINA = ZoneInfo("Asia/Shanghai")
SUMMARY_FIRST_COLUMN = "总交易单数"


def _fen(text: str) -> int:
    try:
        return int((Decimal(text) * 100).to_integral_exact())
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"not an amount in yuan: {text!r}") from error


def bill_lines(content: bytes | None) -> Iterator[dict[str, str]]:
    """The bill's lines as ``{column: value}`` (backticks taken off), without the summary."""
    if not content:
        return
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    header = next(rows, None)
    if header is None:
        return
    header = [name.strip() for name in header]
    for row in rows:
        if not row or row[0].strip().lstrip("`") == SUMMARY_FIRST_COLUMN:
            return
        yield {name: value.strip().lstrip("`") for name, value in zip(header, row, strict=False)}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), CHINA)
    return start, start + timedelta(days=1)


async def reconcile(
    session: AsyncSession, client: WechatPay, day: date, *, run_by: str, now: datetime
) -> Reconciliation:
    """Reconcile ``day`` (again, if it was: the new run replaces the old one). A day after today in
    Beijing has no bill yet: refused here, not sent to WeChat Pay to be refused there."""
    today = now.astimezone(CHINA).date()
    if day > today:
        raise BillDateInFuture(f"{day} is after today ({today}, Beijing time)")
    try:
        trade_bill = await client.bill(day, "SUCCESS")
        refund_bill = await client.bill(day, "REFUND")
    except WechatPayError as error:
        raise BillUnavailable(f"WeChat Pay: {error.code} {error.message}".strip()) from error
    theirs_trades = {line["商户订单号"]: _fen(line["订单金额"]) for line in bill_lines(trade_bill)}
    theirs_refunds = {
        line["商户退款单号"]: (line["商户订单号"], _fen(line.get("申请退款金额") or line["退款金额"]))
        for line in bill_lines(refund_bill)
    }
    start, end = day_bounds(day)
    ours_trades = {p.out_trade_no: p.amount_fen for p in await repository.paid_between(session, start, end)}
    ours_refunds = {
        refund.out_refund_no: (out_trade_no, refund.amount_fen)
        for refund, out_trade_no in await repository.refunds_accepted_between(session, start, end)
    }
    differences: list[ReconciliationDifference] = []

    def differ(
        subject: str,
        kind: str,
        out_trade_no: str,
        out_refund_no: str | None,
        ours: int | None,
        theirs: int | None,
    ) -> None:
        differences.append(
            ReconciliationDifference(
                id=uuid.uuid4(),
                bill_date=day,
                subject=subject,
                kind=kind,
                out_trade_no=out_trade_no,
                out_refund_no=out_refund_no,
                ours_fen=ours,
                theirs_fen=theirs,
            )
        )
        alert(
            "reconciliation_difference",
            kind,
            f"{day} {subject} {out_refund_no or out_trade_no}: ours {ours} fen, WeChat Pay's {theirs} fen",
            bill_date=day.isoformat(),
            subject=subject,
            out_trade_no=out_trade_no,
            out_refund_no=out_refund_no,
            ours_fen=ours,
            theirs_fen=theirs,
        )

    matched = 0
    for out_trade_no in sorted(theirs_trades.keys() | ours_trades.keys()):
        ours, theirs = ours_trades.get(out_trade_no), theirs_trades.get(out_trade_no)
        if ours is None:
            differ("trade", "missing_ours", out_trade_no, None, None, theirs)
        elif theirs is None:
            differ("trade", "missing_theirs", out_trade_no, None, ours, None)
        elif ours != theirs:
            differ("trade", "amount_mismatch", out_trade_no, None, ours, theirs)
        else:
            matched += 1
    for out_refund_no in sorted(theirs_refunds.keys() | ours_refunds.keys()):
        our_line, their_line = ours_refunds.get(out_refund_no), theirs_refunds.get(out_refund_no)
        if our_line is None:
            assert their_line is not None
            differ("refund", "missing_ours", their_line[0], out_refund_no, None, their_line[1])
        elif their_line is None:
            differ("refund", "missing_theirs", our_line[0], out_refund_no, our_line[1], None)
        elif our_line[1] != their_line[1]:
            differ("refund", "amount_mismatch", our_line[0], out_refund_no, our_line[1], their_line[1])
        else:
            matched += 1
    run = Reconciliation(
        bill_date=day,
        status="differences" if differences else "clean",
        trade_lines=len(theirs_trades),
        refund_lines=len(theirs_refunds),
        matched=matched,
        differences=len(differences),
        run_by=run_by,
        reconciled_at=now,
    )
    await repository.replace_reconciliation(session, run, differences)
    return run


async def reconcile_yesterday_when_due(
    session: AsyncSession, client: WechatPay, *, now: datetime, after_hour: int
) -> int:
    """The job's round: yesterday (Asia/Shanghai), once its bills are out and if it was not done yet."""
    local = now.astimezone(CHINA)
    yesterday = local.date() - timedelta(days=1)
    if local.hour < after_hour or not client.configured:
        return 0
    if await repository.reconciliation(session, yesterday) is not None:
        return 0
    await reconcile(session, client, yesterday, run_by="daily job", now=now)
    return 1


async def get(
    session: AsyncSession, day: date
) -> tuple[Reconciliation, list[ReconciliationDifference]] | None:
    run = await repository.reconciliation(session, day)
    if run is None:
        return None
    return run, list(await repository.differences_of(session, day))


async def list_runs(session: AsyncSession, start: date, end: date) -> list[Reconciliation]:
    return list(await repository.reconciliations(session, start, end))
