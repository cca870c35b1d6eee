"""Needs surveys (征集令): ops ask, members answer once, the answers become interests and needs."""
