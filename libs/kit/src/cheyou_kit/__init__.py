"""The service kit: what every Cheyou service uses the same way."""
