"""The outside feeds of the owner's secretary (车主秘书): traffic violations and weather alerts.

Providers push signed batches (``/feed-webhooks/{provider}``) or are pulled with a cursor; each item is
recorded once by its provider id, matched against the members notify-svc knows (a plate in the vehicles
projection, a region with members who have a vehicle) and, when matched, written to the outbox as a
``external.feed.events`` fact (``TrafficViolationRecorded``, ``WeatherAlertIssued``) that the reminders
turn into messages. An unknown plate or region is recorded and skipped; ops see every item and replay.
"""
