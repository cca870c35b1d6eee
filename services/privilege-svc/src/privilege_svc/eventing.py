"""privilege-svc's events: ``await publish(session, event)`` writes one to the outbox under the service's
name, in the caller's transaction (the relay sends it after the commit); ``Context`` is what a
handler receives besides the event (the consumer's session, the service's settings and the app's
resources). Each domain's ``handlers.py`` keeps a ``Subscriptions[Context]``; ``main.py``
combines them."""

from cheyou_events import Publisher
from cheyou_kit.eventing import EventContext

from privilege_svc.config import Settings

publish = Publisher(Settings.service_name)
Context = EventContext[Settings]
