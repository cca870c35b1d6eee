"""Webhook URLs: http(s) only; only public addresses unless a network is explicitly allowed."""

from __future__ import annotations

import pytest
from merchant_svc.webhooks.errors import WebhookUrlRefused
from merchant_svc.webhooks.url_policy import AddressPolicy, DestinationRefused, Destinations

from ..resolver import ScriptedResolver  # noqa: TID252  (shared test helpers, no package path)

PRODUCTION = Destinations(AddressPolicy())
LOCAL = Destinations(AddressPolicy(["127.0.0.0/8", "::1/128"]))


class TestCheckUrl:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.8/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://localhost/hook",
            "http://0.0.0.0/hook",
            "http://[::ffff:127.0.0.1]/hook",
        ],
    )
    async def test_internal_addresses_are_refused_in_production(self, url: str) -> None:
        with pytest.raises(WebhookUrlRefused) as refused:
            await PRODUCTION.check_url(url)

        assert refused.value.extensions["field"] == "url"

    async def test_a_public_address_is_accepted_in_production(self) -> None:
        await PRODUCTION.check_url("https://8.8.8.8/hooks/cheyou")

    async def test_an_allowed_network_is_accepted(self) -> None:
        await LOCAL.check_url("http://127.0.0.1:9/hook")

    @pytest.mark.parametrize(
        "url", ["ftp://8.8.8.8/x", "file:///etc/passwd", "https://user:pw@8.8.8.8/x", "http://8.8.8.8:x/"]
    )
    async def test_other_schemes_credentials_and_bad_ports_are_refused_even_when_private_is_allowed(
        self, url: str
    ) -> None:
        with pytest.raises(WebhookUrlRefused):
            await LOCAL.check_url(url)


class TestAddressPolicy:
    @pytest.mark.parametrize(
        ("address", "why"),
        [
            ("127.0.0.1", "loopback"),
            ("10.0.0.5", "private"),
            ("172.16.3.4", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "metadata"),
            ("169.254.1.1", "link-local"),
            ("100.64.0.1", "carrier-grade NAT"),
            ("100.100.100.200", "metadata"),  # Alibaba Cloud's, inside 100.64.0.0/10
            ("168.63.129.16", "metadata"),  # Azure's, a public-range address
            ("224.0.0.251", "multicast"),
            ("240.0.0.1", "reserved"),
            ("0.0.0.0", "unspecified"),
            ("::1", "loopback"),
            ("fe80::1", "link-local"),
            ("fc00::1", "private"),
            ("fd00:ec2::254", "metadata"),
            ("ff02::1", "multicast"),
            ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
            ("::ffff:169.254.169.254", "metadata"),
            ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
            ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 of 169.254.169.254
            ("fe80::1%eth0", "link-local"),
        ],
    )
    def test_internal_addresses_are_refused_and_say_why(self, address: str, why: str) -> None:
        reason = AddressPolicy().refusal(address)

        assert reason is not None
        assert why in reason

    @pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
    def test_public_addresses_are_allowed(self, address: str) -> None:
        assert AddressPolicy().refusal(address) is None

    def test_an_allowed_network_never_lets_the_metadata_service_through(self) -> None:
        policy = AddressPolicy(["169.254.0.0/16", "127.0.0.0/8"])

        assert policy.refusal("169.254.1.1") is None
        assert policy.refusal("127.0.0.1") is None
        assert policy.refusal("169.254.169.254") == "a cloud metadata address"


class TestResolvedNames:
    async def test_a_name_with_one_internal_address_among_public_ones_is_refused(self) -> None:
        destinations = Destinations(
            AddressPolicy(), ScriptedResolver({"mixed.test": ["8.8.8.8", "10.0.0.1"]})
        )

        with pytest.raises(DestinationRefused, match=r"10\.0\.0\.1 \(a private address\)"):
            await destinations.addresses("mixed.test", 443)

    async def test_a_name_that_does_not_resolve_is_refused(self) -> None:
        destinations = Destinations(AddressPolicy(), ScriptedResolver({}))

        with pytest.raises(DestinationRefused, match="does not resolve"):
            await destinations.addresses("nowhere.test", 443)
