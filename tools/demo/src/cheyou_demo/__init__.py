"""The demo world and the platform's driver: everything here goes through the running platform's public
API (the gateway, the fake WeChat and SMS providers), never its code or its tables.

- ``python -m cheyou_demo`` loads the seed's 2014 Fuzhou world (``world``, ``figures``) or a few members
  per tier (``small_world``); ``python -m cheyou_demo.report`` prints the ops report beside the seed's.
- :class:`Platform` is the driver the e2e suite, the browser journeys, the soak and the benchmarks share.
"""

from cheyou_demo.people import id_number, phone_number, plate
from cheyou_demo.platform import Member, Platform, decide
from cheyou_demo.sign_in import ADMIN_PASSWORD, STAFF_PASSWORD, otp_code

__all__ = [
    "ADMIN_PASSWORD",
    "STAFF_PASSWORD",
    "Member",
    "Platform",
    "decide",
    "id_number",
    "otp_code",
    "phone_number",
    "plate",
]
