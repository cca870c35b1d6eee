"""The liability assistant (辅助定责): standard scenarios, the proposed split, both parties' consent."""
