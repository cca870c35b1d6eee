"""Members: registration by three routes, real-name data (encrypted), WeChat binding, the member card."""
