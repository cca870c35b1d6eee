"""What each member may use: their tier's terms, with quotas counted per privilege year."""
