import time
from typing import Any

import httpx
import pytest
from cheyou_fakes import running, wechat


def _token(wx: httpx.Client) -> str:
    answer = wx.get(
        "/cgi-bin/token", params={"grant_type": "client_credential", "appid": "wx-test", "secret": "s3cret"}
    ).json()
    token: str = answer["access_token"]
    return token


def _send(wx: httpx.Client, token: str, **body: object) -> dict[str, object]:
    message = {"touser": "o-1", "template_id": "TPL", "data": {"thing1": {"value": "金卡会员"}}, **body}
    answer: dict[str, object] = wx.post(
        "/cgi-bin/message/template/send", params={"access_token": token}, json=message
    ).json()
    return answer


class TestToken:
    def test_right_credentials_get_a_token(self, wx: httpx.Client) -> None:
        answer = wx.get(
            "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": "wx-test", "secret": "s3cret"},
        ).json()
        assert answer["expires_in"] == 7200
        assert answer["access_token"]

    def test_wrong_secret_is_40125(self, wx: httpx.Client) -> None:
        answer = wx.get(
            "/cgi-bin/token", params={"grant_type": "client_credential", "appid": "wx-test", "secret": "no"}
        ).json()
        assert answer["errcode"] == 40125

    def test_wrong_appid_is_40013(self, wx: httpx.Client) -> None:
        answer = wx.get(
            "/cgi-bin/token", params={"grant_type": "client_credential", "appid": "wx-x", "secret": "s3cret"}
        ).json()
        assert answer["errcode"] == 40013


class TestOAuthCode:
    def _exchange(self, wx: httpx.Client, code: str) -> dict[str, object]:
        params = {"appid": "wx-test", "secret": "s3cret", "code": code, "grant_type": "authorization_code"}
        answer: dict[str, object] = wx.get("/sns/oauth2/access_token", params=params).json()
        return answer

    def test_registered_code_yields_the_openid(self, wx: httpx.Client) -> None:
        wx.post("/_fake/oauth-codes", json={"code": "c1", "openid": "o-abc"})
        answer = self._exchange(wx, "c1")
        assert answer["openid"] == "o-abc"
        assert answer["scope"] == "snsapi_base"
        assert {"access_token", "expires_in", "refresh_token"} <= set(answer)

    def test_unknown_code_is_40029(self, wx: httpx.Client) -> None:
        assert self._exchange(wx, "nope")["errcode"] == 40029

    def test_reused_code_is_40163(self, wx: httpx.Client) -> None:
        wx.post("/_fake/oauth-codes", json={"code": "c2", "openid": "o-abc"})
        self._exchange(wx, "c2")
        assert self._exchange(wx, "c2")["errcode"] == 40163


class TestTemplateSend:
    def test_accepted_message_is_listed_with_its_msgid(self, wx: httpx.Client) -> None:
        answer = _send(wx, _token(wx))
        assert answer["errcode"] == 0
        listed = wx.get("/_fake/messages").json()["items"]
        assert [m["msgid"] for m in listed] == [answer["msgid"]]
        assert listed[0]["data"] == {"thing1": {"value": "金卡会员"}}

    def test_unknown_token_is_40001(self, wx: httpx.Client) -> None:
        assert _send(wx, "forged")["errcode"] == 40001

    def test_expired_token_is_42001(self, wx: httpx.Client) -> None:
        token = _token(wx)
        wx.post("/_fake/expire-token")
        assert _send(wx, token)["errcode"] == 42001
        assert _send(wx, _token(wx))["errcode"] == 0

    def test_remark_line_is_47003(self, wx: httpx.Client) -> None:
        answer = _send(wx, _token(wx), data={"remark": {"value": "x"}})
        assert answer["errcode"] == 47003

    def test_colour_is_47003(self, wx: httpx.Client) -> None:
        answer = _send(wx, _token(wx), data={"thing1": {"value": "x", "color": "#ff0000"}})
        assert answer["errcode"] == 47003

    def test_field_over_20_characters_is_47003(self, wx: httpx.Client) -> None:
        answer = _send(wx, _token(wx), data={"thing1": {"value": "一" * 21}})
        assert answer["errcode"] == 47003

    def test_line_break_is_47003(self, wx: httpx.Client) -> None:
        answer = _send(wx, _token(wx), data={"thing1": {"value": "a\nb"}})
        assert answer["errcode"] == 47003

    def test_unsubscribed_user_is_43004(self, wx: httpx.Client) -> None:
        wx.post("/_fake/users/o-1", json={"subscribed": False})
        assert _send(wx, _token(wx))["errcode"] == 43004
        assert wx.get("/_fake/messages").json()["items"] == []

    def test_refusing_user_is_43101(self, wx: httpx.Client) -> None:
        wx.post("/_fake/users/o-1", json={"refused": True})
        assert _send(wx, _token(wx))["errcode"] == 43101

    def test_injected_rate_limit_is_45009_once(self, wx: httpx.Client) -> None:
        token = _token(wx)
        wx.post("/_fake/fail-next", json={"errcode": 45009})
        assert _send(wx, token)["errcode"] == 45009
        assert _send(wx, token)["errcode"] == 0

    def test_slow_answer_times_out_but_the_message_is_sent(self, wx: httpx.Client) -> None:
        token = _token(wx)
        wx.post("/_fake/config", json={"slow_seconds": 1.0, "slow_count": 1})
        with pytest.raises(httpx.ReadTimeout):
            wx.post(
                "/cgi-bin/message/template/send",
                params={"access_token": token},
                json={"touser": "o-1", "template_id": "TPL", "data": {"thing1": {"value": "金卡会员"}}},
                timeout=0.2,
            )
        assert len(wx.get("/_fake/messages").json()["items"]) == 1  # sent although the answer was lost
        assert _send(wx, token)["errcode"] == 0  # only the next one was slow

    def test_stats_count_token_requests(self, wx: httpx.Client) -> None:
        _token(wx)
        _token(wx)
        assert wx.get("/_fake/stats").json()["token_requests"] == 2


AUTHORIZE = {
    "appid": "wx-test",
    "redirect_uri": "http://127.0.0.1:8080/h5/?from=menu",
    "response_type": "code",
    "scope": "snsapi_base",
    "state": "a1b2c3",
}


def _choose(wx: httpx.Client, openid: str, **params: str) -> httpx.Response:
    """What a browser does on the authorize page: submit its form with an openid."""
    return wx.post("/connect/oauth2/authorize", data={**AUTHORIZE, **params, "openid": openid})


def _exchange(wx: httpx.Client, code: str) -> dict[str, object]:
    params = {"appid": "wx-test", "secret": "s3cret", "code": code, "grant_type": "authorization_code"}
    answer: dict[str, object] = wx.get("/sns/oauth2/access_token", params=params).json()
    return answer


class TestAuthorizePage:
    def test_the_page_asks_which_openid_offering_registered_and_recent_ones(self, wx: httpx.Client) -> None:
        wx.post("/_fake/openids", json={"openid": "o-star3", "label": "三星会员 王**"})
        wx.post("/_fake/oauth-codes", json={"code": "c9", "openid": "o-seen"})
        page = wx.get("/connect/oauth2/authorize", params=AUTHORIZE)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert 'lang="zh-CN"' in page.text
        for shown in ("三星会员 王**", "o-star3", "o-seen"):
            assert shown in page.text
        assert 'name="openid"' in page.text
        assert [i["openid"] for i in wx.get("/_fake/openids").json()["items"]] == ["o-star3", "o-seen"]

    def test_choosing_redirects_with_code_and_state_and_the_code_works_once(self, wx: httpx.Client) -> None:
        answer = _choose(wx, "o-picked")
        assert answer.status_code == 302
        location = httpx.URL(answer.headers["location"])
        assert (location.host, location.port, location.path) == ("127.0.0.1", 8080, "/h5/")
        assert location.params["from"] == "menu"
        assert location.params["state"] == "a1b2c3"
        code = location.params["code"]
        assert _exchange(wx, code)["openid"] == "o-picked"
        assert _exchange(wx, code)["errcode"] == 40163

    def test_the_state_comes_back_exactly_and_a_fragment_stays_after_the_query(
        self, wx: httpx.Client
    ) -> None:
        answer = _choose(wx, "o-1", redirect_uri="http://localhost:5173/cb#/me", state="Zx09")
        location = answer.headers["location"]
        assert location.startswith("http://localhost:5173/cb?code=")
        assert location.endswith("&state=Zx09#/me")

    def test_a_redirect_uri_off_the_authorized_domain_is_refused(self, wx: httpx.Client) -> None:
        for uri in ("https://evil.example/steal", "javascript:alert(1)", "http://127.0.0.1.evil.example/"):
            page = wx.get("/connect/oauth2/authorize", params={**AUTHORIZE, "redirect_uri": uri})
            assert (page.status_code, "10003" in page.text) == (400, True)
            refused = _choose(wx, "o-1", redirect_uri=uri)
            assert (refused.status_code, refused.headers.get("location")) == (400, None)

    def test_wrong_parameters_show_wechat_error_codes(self, wx: httpx.Client) -> None:
        cases = {
            "appid": ("wx-other", "10016"),
            "scope": ("snsapi_login", "10005"),
            "response_type": ("token", "10017"),
        }
        for name, (value, code) in cases.items():
            page = wx.get("/connect/oauth2/authorize", params={**AUTHORIZE, name: value})
            assert (page.status_code, code in page.text) == (400, True), name

    def test_a_bad_openid_is_refused(self, wx: httpx.Client) -> None:
        assert _choose(wx, "<script>").status_code == 400

    def test_codes_expire(self, wx: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
        location = httpx.URL(_choose(wx, "o-late").headers["location"])
        real = time.monotonic
        monkeypatch.setattr(time, "monotonic", lambda: real() + 301)
        assert _exchange(wx, location.params["code"])["errcode"] == 40029


def test_only_the_configured_domain_when_loopback_is_off() -> None:
    app = wechat.create_app(
        appid="wx-test", secret="s3cret", oauth_domains=["club.example.com"], allow_loopback=False
    )
    with running(app) as base_url, httpx.Client(base_url=base_url) as wx:
        good = _choose(wx, "o-1", redirect_uri="https://club.example.com/h5/")
        assert good.headers["location"].startswith("https://club.example.com/h5/?code=")
        assert _choose(wx, "o-1").status_code == 400  # 127.0.0.1 is not this account's domain


class TestStableTokenAndTicket:
    def _stable(self, wx: httpx.Client, **extra: object) -> dict[str, Any]:
        body = {"grant_type": "client_credential", "appid": "wx-test", "secret": "s3cret", **extra}
        answer: dict[str, Any] = wx.post("/cgi-bin/stable_token", json=body).json()
        return answer

    def test_stable_token_is_shared_until_forced(self, wx: httpx.Client) -> None:
        first = self._stable(wx)
        assert self._stable(wx)["access_token"] == first["access_token"]
        forced = self._stable(wx, force_refresh=True)
        assert forced["access_token"] != first["access_token"]
        old = wx.get(
            "/cgi-bin/ticket/getticket", params={"access_token": first["access_token"], "type": "jsapi"}
        )
        assert old.json()["errcode"] == 40001
        assert self._stable(wx, secret="no")["errcode"] == 40125

    def test_ticket_for_a_valid_token(self, wx: httpx.Client) -> None:
        token = self._stable(wx)["access_token"]
        answer = wx.get("/cgi-bin/ticket/getticket", params={"access_token": token, "type": "jsapi"}).json()
        assert (answer["errcode"], answer["expires_in"]) == (0, 7200)
        assert [t["ticket"] for t in wx.get("/_fake/jsapi-tickets").json()["items"]] == [answer["ticket"]]
        assert wx.get("/_fake/stats").json()["ticket_requests"] == 1

    def test_ticket_refused_without_a_good_token(self, wx: httpx.Client) -> None:
        assert wx.get("/cgi-bin/ticket/getticket", params={"type": "jsapi"}).json()["errcode"] == 41001
        forged = {"access_token": "forged", "type": "jsapi"}
        assert wx.get("/cgi-bin/ticket/getticket", params=forged).json()["errcode"] == 40001
        token = self._stable(wx)["access_token"]
        wx.post("/_fake/expire-token")
        expired = {"access_token": token, "type": "jsapi"}
        assert wx.get("/cgi-bin/ticket/getticket", params=expired).json()["errcode"] == 42001
