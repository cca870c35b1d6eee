"""Settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import ClassVar, Literal, Self, TypeVar

from cheyou_events.settings import SECRETS_DIR_VARIABLE as SECRETS_DIR_VARIABLE  # re-exported
from cheyou_events.settings import FileSecretsSettings
from fastapi import Request
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url


class ServiceSettings(FileSecretsSettings):
    """Connection and runtime settings.

    Platform-wide settings (``POSTGRES_DSN``, ``REDIS_URL``, ``KAFKA_BOOTSTRAP_SERVERS``…) are read
    without a prefix; a service's own settings use its prefix (``MEMBER_PORT``, ``MEMBER_DATABASE_URL``).

    Secrets may also come as files, as Kubernetes mounts them: with ``CHEYOU_SECRETS_DIR`` set, a file
    named like the variable (``MEMBER_PII_KEY``, ``REDIS_URL``) holds the value, and a variable that is set
    wins. The mechanism is the events library's (:class:`cheyou_events.settings.FileSecretsSettings`), so the
    secrets that library reads itself (``EVENTS_PII_KEY``, ``KAFKA_SASL_PASSWORD``) come from the same files.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: ClassVar[str]
    database_name: ClassVar[str]
    default_port: ClassVar[int]

    # What a service declares about its own settings, for production mode (:mod:`cheyou_kit.production`)
    # and for keeping secrets out of traces (:mod:`cheyou_kit.trace_scrubbing`):
    secret_settings: ClassVar[tuple[str, ...]] = ()
    """Secrets (keys, passwords, tokens, third-party credentials): in production set, and not the
    development default or a known development key."""
    key_settings: ClassVar[tuple[str, ...]] = ()
    """Secrets of our own choosing (HMAC and token keys): in production also at least 32 bytes."""
    provider_url_settings: ClassVar[tuple[str, ...]] = ()
    """Third-party providers' URLs: in production https, and not the local fakes."""
    required_settings: ClassVar[tuple[str, ...]] = ()
    """Not secret, but in production they must be set (a key file's path)."""
    key_file_settings: ClassVar[tuple[str, ...]] = ()
    """Paths of key files (a provider's keys): in production set, and not a generated development key
    (``*.dev-only.*``)."""
    development_only_settings: ClassVar[tuple[str, ...]] = ()
    """Switches for development and tests (demo data, private networks): in production off or empty."""
    development_values: ClassVar[frozenset[str]] = frozenset()
    """Known development keys besides the defaults (e.g. another service's dev key pasted by mistake)."""

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        validation_alias="CHEYOU_ENV",
        description="production: the service refuses to start with development keys, default secrets, "
        "short keys or the fake providers (cheyou_kit.production).",
    )
    host: str = "127.0.0.1"
    port: int = 0
    database_url: str | None = Field(
        default=None,
        description="This service's own database, as its runtime role (DML only); derived from "
        "POSTGRES_DSN when unset. In production: the PgBouncer pooler in transaction mode.",
    )
    database_direct_url: str | None = Field(
        default=None,
        description="The database itself, not a pooler: the outbox relay's connection, which LISTENs and "
        "holds a session-level advisory lock (neither survives transaction pooling). Defaults to "
        "database_url.",
    )
    migration_database_url: str | None = Field(
        default=None,
        description="The database as the migrator role (owns the schema, may run DDL), direct; used by "
        "migrations/env.py (the migration Job). Defaults to database_url.",
    )
    database_pool_size: int = Field(
        default=10, ge=1, description="Pooled connections per process (SQLAlchemy pool_size)."
    )
    database_max_overflow: int = Field(
        default=10,
        ge=0,
        description="Connections opened beyond the pool under a burst, closed when returned.",
    )
    database_pool_timeout_seconds: float = Field(
        default=30.0, gt=0, description="How long a request waits for a pooled connection."
    )
    database_statement_cache_size: int = Field(
        default=100,
        ge=0,
        description="Prepared statements cached per connection. 0 for PgBouncer in transaction mode "
        "(without max_prepared_statements): no statement is cached by SQLAlchemy or asyncpg, and each "
        "prepared statement gets a unique name, so two clients never collide on one server connection.",
    )
    postgres_dsn: str = Field(
        default="postgresql://postgres:postgres@127.0.0.1:5432/postgres", validation_alias="POSTGRES_DSN"
    )
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", validation_alias="REDIS_URL")
    redis_max_connections: int = Field(
        default=100,
        validation_alias="REDIS_MAX_CONNECTIONS",
        description="Connections to Redis per process; a burst beyond them waits (up to 5 s) for a free one.",
    )
    redis_socket_timeout_seconds: float = Field(
        default=1.0,
        gt=0,
        validation_alias="REDIS_SOCKET_TIMEOUT_SECONDS",
        description="Connect and read timeout of every Redis command: a dead Redis costs a request at most "
        "this long before the feature degrades as documented (cheyou_kit.dependencies).",
    )
    dependency_probe_interval_seconds: float = Field(
        default=5.0,
        gt=0,
        validation_alias="DEPENDENCY_PROBE_INTERVAL_SECONDS",
        description="How often the process probes Kafka and Redis for the cheyou_dependency_up gauges "
        "(readiness checks neither).",
    )
    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    kafka_broker_kind: Literal["apache-kafka", "tansu", "external"] = Field(
        default="apache-kafka", validation_alias="KAFKA_BROKER_KIND"
    )
    kafka_topic_prefix: str = Field(default="", validation_alias="KAFKA_TOPIC_PREFIX")
    internal_token_public_key_file: Path | None = Field(
        default=None, validation_alias="INTERNAL_TOKEN_PUBLIC_KEY_FILE"
    )
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    log_json: bool = Field(default=True, validation_alias="LOG_JSON")
    otel_enabled: bool = Field(default=True, validation_alias="OTEL_ENABLED")
    consumer_group: str | None = Field(
        default=None, description="Kafka consumer group; the service's name unless set (tests set their own)."
    )
    consumers_enabled: bool = Field(
        default=True, description="Run this service's Kafka consumers and outbox relay in-process."
    )

    @model_validator(mode="after")
    def _default_port(self) -> Self:
        if self.port == 0:
            self.port = self.default_port
        return self

    def secret_values(self) -> list[str]:
        """The values of the declared secrets that are set (for scrubbing them out of traces)."""
        values = [_plain(getattr(self, name)) for name in {*self.secret_settings, *self.key_settings}]
        return [v for v in values if v]

    def env_name(self, field: str) -> str:
        """The environment variable a setting is read from (``MEMBER_PII_KEY``, ``WECHAT_SECRET``)."""
        alias = type(self).model_fields[field].validation_alias
        if isinstance(alias, str):
            return alias
        return f"{self.model_config.get('env_prefix', '')}{field}".upper()

    @property
    def group_id(self) -> str:
        return self.consumer_group or self.service_name

    @property
    def sqlalchemy_url(self) -> str:
        """The asyncpg URL of this service's database (requests, consumers, jobs)."""
        return self._asyncpg_url(self.database_url)

    @property
    def direct_sqlalchemy_url(self) -> str:
        """The URL of the outbox relay's connection: the database itself, never a transaction pooler."""
        return self._asyncpg_url(self.database_direct_url or self.database_url)

    @property
    def migration_sqlalchemy_url(self) -> str:
        """The URL migrations run on (the migrator role)."""
        return self._asyncpg_url(self.migration_database_url or self.database_url)

    def _asyncpg_url(self, configured: str | None) -> str:
        url = make_url(configured or self.postgres_dsn)
        if not configured:
            url = url.set(database=self.database_name)
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def _plain(value: object) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return "" if value is None else str(value)


S = TypeVar("S", bound=ServiceSettings)


def settings_dependency(settings_class: type[S]) -> Callable[[Request], Awaitable[S]]:
    """The FastAPI dependency yielding the settings the running app was built with (tests build apps with
    their own). Each service declares it once, beside its settings class, in ``<service>/config.py``::

        SettingsDep = Annotated[Settings, Depends(settings_dependency(Settings))]
    """

    async def get_settings(request: Request) -> S:
        settings = request.app.state.resources.settings
        if not isinstance(settings, settings_class):
            raise TypeError(f"the app runs with {type(settings).__name__}, not {settings_class.__name__}")
        return settings

    return get_settings
