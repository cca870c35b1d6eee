"""What a gateway handler receives besides the event: ``Context`` (the consumer's session, the
service's settings and the app's resources). Each domain's ``handlers.py`` keeps a
``Subscriptions[Context]``; ``main.py`` combines them."""

from cheyou_kit.eventing import EventContext

from gateway.config import Settings

Context = EventContext[Settings]
