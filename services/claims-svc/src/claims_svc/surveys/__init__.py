"""The guided photo survey ("one tip, one picture"): shot lists, photos, and the surveyors' work queue."""
