"""WeChat JS-SDK: ``wx.config`` signed for a page of ours, with the account's jsapi_ticket."""
