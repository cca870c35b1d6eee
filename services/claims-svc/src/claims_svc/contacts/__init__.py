"""Members' own phones (member-svc's ``member.contact_changed``), to recognise the other party."""
