"""Claims: the report (FNOL), routing, the state machine, the timeline, withdrawal, settlement."""
