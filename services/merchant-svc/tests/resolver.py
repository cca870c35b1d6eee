"""A resolver the test controls: merchant-svc takes it in place of the system's (``create_app(resolver=)``),
so a test can make a name answer one address when a webhook URL is saved and another when it is sent."""

from __future__ import annotations


class ScriptedResolver:
    """Answers names from a table the test changes at will; an unknown name does not resolve."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:  # noqa: ARG002 - the Resolver protocol
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"{host}: name or service not known")
        return list(self.answers[host])
