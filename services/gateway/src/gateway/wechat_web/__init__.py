"""WeChat web authorization from the browser: the authorize URL with a state bound to the browser, and
the sign-in that checks it."""
