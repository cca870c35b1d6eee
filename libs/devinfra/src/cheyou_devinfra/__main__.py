from cheyou_devinfra.cli import app

app(prog_name="python -m cheyou_devinfra")
