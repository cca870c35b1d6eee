from cheyou_events.cli import app

app(prog_name="python -m cheyou_events")
