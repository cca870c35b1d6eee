from pathlib import Path

from cheyou_kit.testing import service_fixtures
from merchant_svc.config import Settings
from merchant_svc.main import create_app

identities, service_settings, client, session = service_fixtures(
    Settings, create_app, Path(__file__).parents[1]
)
