"""Real local infrastructure for development and tests: PostgreSQL, Redis and a Kafka-protocol broker.

``InfraManager(state_dir).start()`` returns an :class:`Infra` with the URLs; see the package README.
"""

from cheyou_devinfra._process import InfraError
from cheyou_devinfra.manager import Infra, InfraManager
from cheyou_devinfra.provisioning import ensure_database, ensure_service_roles, ensure_topics

__all__ = ["Infra", "InfraError", "InfraManager", "ensure_database", "ensure_service_roles", "ensure_topics"]
