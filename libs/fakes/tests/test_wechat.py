import httpx


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

    def test_stats_count_token_requests(self, wx: httpx.Client) -> None:
        _token(wx)
        _token(wx)
        assert wx.get("/_fake/stats").json()["token_requests"] == 2
